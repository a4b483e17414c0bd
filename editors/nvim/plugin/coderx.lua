-- coderx: highlight used for ghost text (link it elsewhere in your colorscheme if you like).
-- The plugin starts nothing by itself: call require("coderx").setup{}.
if vim.g.loaded_coderx then
  return
end
vim.g.loaded_coderx = true
vim.cmd("highlight default link CoderxGhost Comment")
