; coderx additions for JavaScript/TypeScript (combined with the packages' tags.scm).
(import_statement source: (string (string_fragment) @import.path)) @import
(export_statement source: (string (string_fragment) @import.path)) @import
((call_expression
   function: (identifier) @_fn
   arguments: (arguments . (string (string_fragment) @import.path))) @import
 (#any-of? @_fn "require" "import"))
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(number) (string) (template_string) (object) (array) (true) (false)]) @definition.constant
  (#match? @name "^[A-Z_][A-Z0-9_]*$"))
(statement_block) @scope
(class_body) @scope
