# Every export has a help page whose usage matches the function.
test_that("every export is documented, and documented as it is", {
  undocumented <- unclass(tools::undoc(package = "vaexprs"))
  expect_true(all(lengths(undocumented) == 0), info = paste(unlist(undocumented), collapse = ", "))
  expect_length(tools::codoc(package = "vaexprs"), 0)
  expect_true(all(getNamespaceExports("vaexprs") %in% unlist(lapply(
    tools::Rd_db("vaexprs"), function(rd) tools:::.Rd_get_metadata(rd, "alias")))))
})
