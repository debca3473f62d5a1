# Ctrl-C stops a fit: the library asks R after every batch whether an interrupt is pending
# (R_CheckUserInterrupt inside R_ToplevelExec) and stops cleanly. An elapsed-time limit takes
# the same path as Ctrl-C in R_CheckUserInterrupt, so it stands in for the key here.
test_that("a fit stops cleanly when R interrupts it", {
  set.seed(1)
  x <- matrix(rpois(2000 * 100, 2), 2000, 100, dimnames = list(paste0("c", 1:2000), paste0("g", 1:100)))
  start <- Sys.time()
  message <- tryCatch({
    setTimeLimit(elapsed = 2, transient = TRUE)
    fit_vae(x_train = x, epochs = 100000, batch_size = 32, seed = 1)
    "not stopped"
  }, error = function(e) conditionMessage(e))
  setTimeLimit(elapsed = Inf)
  expect_equal(message, "the fit was interrupted")
  expect_lt(as.numeric(Sys.time() - start, units = "secs"), 30)
  # The session goes on: the next fit works.
  expect_s3_class(fit_vae(x_train = x[1:50, ], epochs = 1, batch_size = 16, seed = 1), "vaexprs_vae")
})
