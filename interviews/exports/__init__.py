"""What Zvonok hands out as files: answer sheets back to markdown (``markdown``) and the
application list as CSV or XLSX (``tables``). Formatting only: which rows, and who may
have them, is the caller's."""
