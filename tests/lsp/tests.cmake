# Script tests of the language server with real clients, run against the built coderx binary:
#   - Node (node:test) on vscode-languageserver-protocol / vscode-jsonrpc (tests/lsp/node)
#   - headless Neovim 0.7 with its built-in LSP client (tests/lsp/nvim)
# Both are labelled `integration`; each is skipped with a visible reason where node / nvim or
# node_modules are missing.
find_program(CODERX_NODE node)
find_program(CODERX_NVIM nvim)

file(GLOB coderx_node_tests CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/node/*.test.mjs")
foreach(script IN LISTS coderx_node_tests)
  get_filename_component(name "${script}" NAME_WE)
  if(CODERX_NODE AND EXISTS "${CMAKE_SOURCE_DIR}/node_modules/vscode-languageserver-protocol")
    add_test(NAME lsp.node.${name} COMMAND ${CODERX_NODE} --test "${script}")
    set_tests_properties(lsp.node.${name} PROPERTIES LABELS integration TIMEOUT 120
      ENVIRONMENT "CODERX_BIN=$<TARGET_FILE:coderx>")
  else()
    add_test(NAME lsp.node.${name} COMMAND ${CMAKE_COMMAND} -E echo "SKIPPED: node or node_modules missing")
    set_tests_properties(lsp.node.${name} PROPERTIES LABELS integration SKIP_REGULAR_EXPRESSION "SKIPPED")
  endif()
endforeach()

file(GLOB coderx_nvim_tests CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/nvim/*_test.lua")
foreach(script IN LISTS coderx_nvim_tests)
  get_filename_component(name "${script}" NAME_WE)
  if(CODERX_NVIM)
    add_test(NAME lsp.nvim.${name}
      COMMAND ${CMAKE_COMMAND} -E env CODERX_BIN=$<TARGET_FILE:coderx>
              sh "${CMAKE_CURRENT_LIST_DIR}/nvim/run.sh" "${script}")
    set_tests_properties(lsp.nvim.${name} PROPERTIES LABELS integration TIMEOUT 120)
  else()
    add_test(NAME lsp.nvim.${name} COMMAND ${CMAKE_COMMAND} -E echo "SKIPPED: nvim missing")
    set_tests_properties(lsp.nvim.${name} PROPERTIES LABELS integration SKIP_REGULAR_EXPRESSION "SKIPPED")
  endif()
endforeach()
