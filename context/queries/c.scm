; coderx additions for C (combined with tree-sitter-c's tags.scm).
(preproc_def name: (identifier) @name) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
(enumerator name: (identifier) @name) @definition.constant
(field_declaration declarator: (field_identifier) @name) @definition.field
(call_expression function: (identifier) @name) @reference.call
(preproc_include path: (_) @import.path) @import
(compound_statement) @scope
(function_definition) @scope
