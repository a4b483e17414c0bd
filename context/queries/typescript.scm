; coderx additions for TypeScript/TSX (with javascript.scm and the packages' tags.scm).
(class_declaration name: (type_identifier) @name) @definition.class
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(interface_body) @scope
