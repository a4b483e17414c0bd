; coderx queries for Bash (the grammar ships no tags.scm).
(function_definition name: (word) @name) @definition.function
(program (variable_assignment name: (variable_name) @name) @definition.variable)
(program (declaration_command (variable_assignment name: (variable_name) @name)) @definition.variable)
(command name: (command_name (word) @name) (#not-any-of? @name "source" "." "echo" "cd" "export" "set" "local" "if" "test")) @reference.call
((command name: (command_name (word) @_cmd) argument: (_) @import.path) @import
 (#any-of? @_cmd "source" "."))
(compound_statement) @scope
(function_definition) @scope
