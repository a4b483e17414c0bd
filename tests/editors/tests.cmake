# Editor-client tests (VS Code extension, Neovim plugin): script tests, no C++.
# Included from tests/CMakeLists.txt with `coderx_test_folder(editors)` (or
# `include(${CMAKE_CURRENT_SOURCE_DIR}/editors/tests.cmake)`).
#
#   editors_vscode_setup        npm ci (only when editors/vscode/package-lock.json changed) + tsc --strict
#   editors_vscode_unit         node:test unit tests of the extension's logic          (label unit)
#   editors_vscode_package      the .vsix packages offline with @vscode/vsce          (label integration)
#   editors_vscode_fake_server  headless protocol session against the fake server     (label integration)
#   editors_vscode_extension    extension.js activated with a mocked `vscode` + the real languageclient,
#                               against the fake server: status bar, ghost text, commands (integration)
#   editors_vscode_server       the same session against the real `coderx lsp`        (label integration)
#   editors_nvim_fake_server    Neovim 0.7+ headless: ghost text, accept, float, ...   (label integration)
#   editors_nvim_misuse         Neovim used carelessly: missing binary, wrong options, crashes, stale
#                               refactors, non-file buffers, CRLF / multibyte ghosts   (label integration)
#   editors_nvim_server         Neovim headless against the real `coderx lsp`         (label integration)
#   editors_test_model          fixture: one small random-weight GGUF per run (`coderx model make-test`)
#   editors_*_model             the real-server tests again on that generated model, plus
#                               editors_vscode_extension_model: the activated extension against the
#                               real `coderx lsp` and `coderx review`                  (label integration)
# Node (20+) and Neovim are found on PATH; a missing one skips its tests with a configure message.
# The real-server tests run the binary through with_test_model.sh (the canned engine, or
# CODERX_EDITORS_ENGINE=model with CODERX_EDITORS_MODEL); they report SKIP where it cannot.

set(_editors_dir "${CMAKE_SOURCE_DIR}/editors")
set(_editors_tests "${CMAKE_SOURCE_DIR}/tests/editors")
find_program(CODERX_NODE node)
find_program(CODERX_NVIM nvim)
find_program(CODERX_BASH bash REQUIRED)

# The generated model: small (2 layers, 128 wide, ~2 MB) so that each test takes a few seconds.
set(_editors_model "${CMAKE_BINARY_DIR}/tests/editors_test_model.gguf")
add_test(NAME editors_test_model
  COMMAND $<TARGET_FILE:coderx> model make-test --out "${_editors_model}" --layers 2
          --sliding-pattern SF --n-embd 128 --ffn 256 --experts 4 --expert-ffn 128)
set_tests_properties(editors_test_model PROPERTIES
  FIXTURES_SETUP editors_model LABELS "integration" TIMEOUT 120)
set(_editors_model_env "CODERX_EDITORS_ENGINE=model;CODERX_EDITORS_MODEL=${_editors_model}")

if(CODERX_NODE)
  add_test(NAME editors_vscode_setup
    COMMAND ${CODERX_BASH} "${_editors_dir}/vscode/scripts/setup.sh")
  set_tests_properties(editors_vscode_setup PROPERTIES
    FIXTURES_SETUP editors_vscode LABELS "unit" TIMEOUT 600)

  add_test(NAME editors_vscode_unit
    COMMAND ${CODERX_NODE} --test out/test/
    WORKING_DIRECTORY "${_editors_dir}/vscode")
  set_tests_properties(editors_vscode_unit PROPERTIES
    FIXTURES_REQUIRED editors_vscode LABELS "unit" TIMEOUT 120)

  add_test(NAME editors_vscode_package
    COMMAND ${CODERX_BASH} "${_editors_tests}/package_vsix_test.sh")
  set_tests_properties(editors_vscode_package PROPERTIES
    FIXTURES_REQUIRED editors_vscode LABELS "integration" TIMEOUT 300)

  add_test(NAME editors_vscode_fake_server
    COMMAND ${CODERX_NODE} --test out/headless/server_session.js
    WORKING_DIRECTORY "${_editors_dir}/vscode")
  set_tests_properties(editors_vscode_fake_server PROPERTIES
    FIXTURES_REQUIRED editors_vscode LABELS "integration" TIMEOUT 120
    ENVIRONMENT "CODERX_BIN=${_editors_tests}/fake_coderx.js")

  add_test(NAME editors_vscode_extension
    COMMAND ${CODERX_NODE} --test out/headless/extension_wiring.js
    WORKING_DIRECTORY "${_editors_dir}/vscode")
  set_tests_properties(editors_vscode_extension PROPERTIES
    FIXTURES_REQUIRED editors_vscode LABELS "integration" TIMEOUT 120
    ENVIRONMENT "CODERX_BIN=${_editors_tests}/fake_coderx.js")

  if(EXISTS "${_editors_tests}/with_test_model.sh")
  add_test(NAME editors_vscode_server
    COMMAND ${CODERX_BASH} "${_editors_tests}/with_test_model.sh" "$<TARGET_FILE:coderx>"
            ${CODERX_NODE} --test out/headless/server_session.js
    WORKING_DIRECTORY "${_editors_dir}/vscode")
  set_tests_properties(editors_vscode_server PROPERTIES
    FIXTURES_REQUIRED editors_vscode LABELS "integration" TIMEOUT 600 SKIP_RETURN_CODE 77)

  add_test(NAME editors_vscode_server_model
    COMMAND ${CODERX_BASH} "${_editors_tests}/with_test_model.sh" "$<TARGET_FILE:coderx>"
            ${CODERX_NODE} --test out/headless/server_session.js
    WORKING_DIRECTORY "${_editors_dir}/vscode")
  set_tests_properties(editors_vscode_server_model PROPERTIES
    FIXTURES_REQUIRED "editors_vscode;editors_model" LABELS "integration" TIMEOUT 300
    SKIP_RETURN_CODE 77 ENVIRONMENT "${_editors_model_env}")

  add_test(NAME editors_vscode_extension_model
    COMMAND ${CODERX_BASH} "${_editors_tests}/with_test_model.sh" "$<TARGET_FILE:coderx>"
            ${CODERX_NODE} --test out/headless/extension_server.js
    WORKING_DIRECTORY "${_editors_dir}/vscode")
  set_tests_properties(editors_vscode_extension_model PROPERTIES
    FIXTURES_REQUIRED "editors_vscode;editors_model" LABELS "integration" TIMEOUT 300
    SKIP_RETURN_CODE 77 ENVIRONMENT "${_editors_model_env}")
  endif()
else()
  message(STATUS "node not found: VS Code extension tests are not registered")
endif()

if(CODERX_NVIM AND CODERX_NODE)
  add_test(NAME editors_nvim_fake_server
    COMMAND ${CODERX_BASH} "${_editors_tests}/run_nvim_test.sh"
            "${_editors_tests}/nvim/fake_server_test.lua")
  set_tests_properties(editors_nvim_fake_server PROPERTIES LABELS "integration" TIMEOUT 180)

  add_test(NAME editors_nvim_misuse
    COMMAND ${CODERX_BASH} "${_editors_tests}/run_nvim_test.sh"
            "${_editors_tests}/nvim/misuse_test.lua")
  set_tests_properties(editors_nvim_misuse PROPERTIES LABELS "integration" TIMEOUT 180)
endif()
if(CODERX_NVIM AND EXISTS "${_editors_tests}/with_test_model.sh")
  add_test(NAME editors_nvim_server
    COMMAND ${CODERX_BASH} "${_editors_tests}/with_test_model.sh" "$<TARGET_FILE:coderx>"
            ${CODERX_BASH} "${_editors_tests}/run_nvim_test.sh"
            "${_editors_tests}/nvim/real_server_test.lua" "$<TARGET_FILE:coderx>")
  set_tests_properties(editors_nvim_server PROPERTIES LABELS "integration" TIMEOUT 600 SKIP_RETURN_CODE 77)

  add_test(NAME editors_nvim_server_model
    COMMAND ${CODERX_BASH} "${_editors_tests}/with_test_model.sh" "$<TARGET_FILE:coderx>"
            ${CODERX_BASH} "${_editors_tests}/run_nvim_test.sh"
            "${_editors_tests}/nvim/real_server_test.lua" "$<TARGET_FILE:coderx>")
  set_tests_properties(editors_nvim_server_model PROPERTIES
    FIXTURES_REQUIRED editors_model LABELS "integration" TIMEOUT 300
    SKIP_RETURN_CODE 77 ENVIRONMENT "${_editors_model_env}")
endif()
if(NOT CODERX_NVIM)
  message(STATUS "nvim not found: Neovim plugin tests are not registered")
endif()
