; coderx additions for Go (combined with tree-sitter-go's tags.scm).
(import_spec path: (interpreted_string_literal) @import.path) @import
(const_spec name: (identifier) @name) @definition.constant
(field_declaration name: (field_identifier) @name) @definition.field
(block) @scope
(function_declaration) @scope
(method_declaration) @scope
