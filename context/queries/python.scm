; coderx additions for Python (combined with tree-sitter-python's tags.scm).
(import_statement name: (dotted_name) @import.path) @import
(import_statement name: (aliased_import name: (dotted_name) @import.path)) @import
(import_from_statement module_name: (_) @import.path) @import
(class_definition body: (block (expression_statement (assignment left: (identifier) @name) @definition.field)))
((identifier) @name @reference.constant (#match? @name "^[A-Z][A-Z0-9_]+$"))
(block) @scope
(function_definition) @scope
(class_definition) @scope
