# An R user's error for a bad argument names the argument as R calls it.
test_that("bad arguments are errors that name them", {
  x <- matrix(rpois(40 * 6, 3), 40, 6, dimnames = list(paste0("c", 1:40), paste0("g", 1:6)))
  expect_error(fit_vae(x_train = x, epochs = 1, batch_size = 8, latent_dim = 0), "latent_dim")
  expect_error(fit_vae(x_train = x, epochs = 1, batch_size = 8, top_genes = -1), "top_genes")
  expect_error(fit_vae(x_train = x, epochs = 1, batch_size = 8, precision = "fp8"), "precision")
  expect_error(fit_vae(x_train = x, epochs = 1, batch_size = 8, shuffle = FALSE), "'shuffle'")
  expect_error(fit_vae(x_train = x, epochs = 1, batch_size = 8, y_train = c("a", "b")), "y_train")
  expect_error(fit_vae(x_train = x, epochs = 1, batch_size = 8, validation_split = 1.5), "validation_split")
  expect_error(fit_vae(x_train = x, epochs = 1, batch_size = 8,
                       encoder_layers = list(layer_input(shape = 7), layer_dense(units = 4))), "layer_input")
  expect_error(layer_dense(units = 0), "units")
  expect_error(layer_dense(units = 4, kernel_initializer = "zeros"), "kernel_initializer")
  fit <- fit_vae(x_train = x, epochs = 2, batch_size = 8, seed = 1)
  expect_error(gen_exprs(fit, num_samples = 5, per_label = c(A = 2)), "per_label")
  expect_error(gen_exprs(fit, num_samples = 5, decode = "median"), "decode")
  expect_error(plot_aug(gen_exprs(fit, num_samples = 5), "LDA"), "plot_fun")
  expect_error(plot_vae(fit, node_color = list(brain_col = "red")), "brain_col")
  expect_error(load_vae(tempfile()), "no such model file")
})

# verbose prints each epoch's losses, as keras does; quiet otherwise.
test_that("verbose prints each epoch", {
  x <- matrix(rpois(40 * 6, 3), 40, 6, dimnames = list(paste0("c", 1:40), paste0("g", 1:6)))
  printed <- capture.output(fit <- fit_vae(x_train = x, epochs = 3, batch_size = 8, validation_split = 0.25, seed = 1,
                                    verbose = TRUE))
  expect_equal(sum(grepl("^Epoch [1-3]/3 - loss: [0-9.]+ - val_loss: [0-9.]+$", printed)), 3)
  expect_length(capture.output(fit <- fit_vae(x_train = x, epochs = 2, batch_size = 8, seed = 1, verbose = FALSE)), 0)
})

