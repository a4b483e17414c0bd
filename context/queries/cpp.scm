; coderx additions for C++ (combined with tree-sitter-cpp's tags.scm).
(preproc_def name: (identifier) @name) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
(namespace_definition name: (namespace_identifier) @name) @definition.namespace
(enumerator name: (identifier) @name) @definition.constant
(field_declaration declarator: (field_identifier) @name) @definition.field
(alias_declaration name: (type_identifier) @name) @definition.type
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression field: (field_identifier) @name)) @reference.call
(call_expression function: (qualified_identifier name: (identifier) @name)) @reference.call
(preproc_include path: (_) @import.path) @import
(compound_statement) @scope
(function_definition) @scope
(field_declaration_list) @scope
(declaration_list) @scope
