# The original package's own examples (its reference manual's: simulated differentially
# expressed genes, a VAE with a 512-unit layer, validation_split = 0.5, early stopping, a refit
# from the first fit's preprocessing, plot_vae, gen_exprs, plot_aug), unchanged but for
# library(vaexprs) and callback_early_stopping without keras::.
test_that("the original's example runs unchanged and gives the original's kind of results", {
  ### simulate differentially expressed genes
  set.seed(1)
  g <- 3
  n <- 100
  m <- 1000
  mu <- 5
  sigma <- 5
  mat <- matrix(rnorm(n*m*g, mu, sigma), m, n*g)
  rownames(mat) <- paste0("gene", seq_len(m))
  colnames(mat) <- paste0("cell", seq_len(n*g))
  group <- factor(sapply(seq_len(g), function(x) { 
      rep(paste0("group", x), n)
  }))
  names(group) <- colnames(mat)
  mu_upreg <- 6
  sigma_upreg <- 10
  deg <- 100
  for (i in seq_len(g)) {
      mat[(deg*(i-1) + 1):(deg*i), group == paste0("group", i)] <- 
          mat[1:deg, group==paste0("group", i)] + rnorm(deg, mu_upreg, sigma_upreg)
  }
  # positive expression only
  mat[mat < 0] <- 0
  x_train <- as.matrix(t(mat)) 


  ### model
  batch_size <- 32
  original_dim <- 1000
  intermediate_dim <- 512
  epochs <- 2
  # VAE
  vae_result <- fit_vae(x_train = x_train,
                      encoder_layers = list(layer_input(shape = c(original_dim)),
                                          layer_dense(units = intermediate_dim,
                                                      activation = "relu")),
                      decoder_layers = list(layer_dense(units = intermediate_dim,
                                                      activation = "relu"),
                                          layer_dense(units = original_dim,
                                                      activation = "sigmoid")),
                      epochs = epochs, batch_size = batch_size,
                      validation_split = 0.5,
                      use_generator = FALSE,
                      callbacks = callback_early_stopping(
                          monitor = "val_loss",
                          patience = 10,
                          restore_best_weights = TRUE))


  ### from preprocessing
  vae_result_preprocessing <- fit_vae(preprocessing = vae_result$preprocessing,
                                      encoder_layers = list(layer_input(shape = c(original_dim)),
                                                          layer_dense(units = intermediate_dim,
                                                                      activation = "relu")),
                                      decoder_layers = list(layer_dense(units = intermediate_dim,
                                                                      activation = "relu"),
                                                          layer_dense(units = original_dim,
                                                                      activation = "sigmoid")),
                                      epochs = epochs, batch_size = batch_size,
                                      validation_split = 0.5,
                                      use_generator = FALSE,
                                      callbacks = callback_early_stopping(
                                          monitor = "val_loss",
                                          patience = 10,
                                          restore_best_weights = TRUE))

  # plot
  graph <- plot_vae(vae_result$model)


  ### generate samples
  gen_sample_result <- gen_exprs(vae_result, num_samples = 100)
  # plot
  figure <- plot_aug(gen_sample_result, "PCA")

  # The original's results: model, encoder, decoder, preprocessing; x_gen, y_gen, x_train,
  # y_train, latent_vector; the original's model (Bernoulli on min-max-scaled lognorm values).
  expect_true(all(c("model", "encoder", "decoder", "preprocessing") %in% names(vae_result)))
  expect_equal(vae_result$description$likelihood, "bernoulli")
  expect_equal(vae_result$encoder, "dense:512:relu")
  expect_equal(vae_result$description$training_cells, 150)
  expect_equal(vae_result$preprocessing$minmax$normalization, "none")  # x_train is only min-max scaled
  expect_equal(length(vae_result$description$history$epoch), 2)
  expect_equal(dim(vae_result$preprocessing$x_train), c(150, 1000))
  expect_equal(dim(vae_result$preprocessing$x_val), c(150, 1000))
  # The refit from preprocessing trains on the same cells and validates on the same others.
  expect_identical(vae_result_preprocessing$preprocessing$x_train, vae_result$preprocessing$x_train)
  expect_identical(vae_result_preprocessing$preprocessing$x_val, vae_result$preprocessing$x_val)
  expect_true(all(c("x_gen", "y_gen", "x_train", "y_train", "latent_vector") %in% names(gen_sample_result)))
  expect_equal(dim(gen_sample_result$x_gen), c(100, 1000))
  expect_equal(colnames(gen_sample_result$x_gen), colnames(x_train))
  expect_equal(dim(gen_sample_result$x_train), c(150, 1000))
  expect_true(all(gen_sample_result$x_gen >= 0))
  expect_equal(dim(gen_sample_result$latent_vector), c(150, 2))
  expect_s3_class(figure, "ggplot")
  expect_equal(nrow(figure$data), 250)
  expect_match(graph$dot, "digraph")
  expect_match(graph$svg, "<svg")
  # set.seed repeats gen_exprs (its seed is drawn from R's random numbers).
  set.seed(2)
  first <- gen_exprs(vae_result, num_samples = 100)
  set.seed(2)
  again <- gen_exprs(vae_result, num_samples = 100)
  expect_identical(again$x_gen, first$x_gen)
  expect_false(identical(first$x_gen, gen_sample_result$x_gen))
})
