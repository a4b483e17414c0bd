; coderx additions for Rust (combined with tree-sitter-rust's tags.scm).
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(field_declaration name: (field_identifier) @name) @definition.field
(use_declaration argument: (_) @import.path) @import
(mod_item name: (identifier) @import.path !body) @import
(extern_crate_declaration name: (identifier) @import.path) @import
(impl_item type: (type_identifier) @name) @scope.impl
(block) @scope
(declaration_list) @scope
