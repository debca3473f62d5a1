library(testthat)
library(vaexprs)
test_check("vaexprs")
