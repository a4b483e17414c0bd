; coderx additions for Java (combined with tree-sitter-java's tags.scm).
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(constructor_declaration name: (identifier) @name) @definition.method
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.field
(import_declaration [(scoped_identifier) (identifier)] @import.path) @import
(block) @scope
(class_body) @scope
