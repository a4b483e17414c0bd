; coderx queries for JSON: top-level keys are the symbols of a configuration file.
(document (object (pair key: (string (string_content) @name)) @definition.field))
(object) @scope
