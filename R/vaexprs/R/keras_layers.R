#' Layers and callbacks with keras' names
#'
#' The original package builds its encoder and decoder from keras layers; these functions take
#' the same arguments and describe the same layers for the VAExprs engine (no keras needed).
#'
#' @param shape For \code{layer_input}: the number of genes (checked against the data).
#' @param units Number of units of a dense layer.
#' @param activation Activation of a dense layer: "relu", "sigmoid", "tanh", "elu", "gelu",
#'   "softplus", "linear" (NULL: linear).
#' @param rate Fraction of units dropped during training.
#' @param monitor Quantity early stopping watches: "val_loss" or "loss".
#' @param patience Epochs without improvement before training stops.
#' @param restore_best_weights The engine always restores the best weights when it stops early.
#' @param object Accepted in keras' position for a model to add to; layers are given as lists here.
#' @param ... Other keras arguments are refused by name.
#' @return A layer or callback description, used by \code{fit_vae}.
#' @name keras_layers
NULL

.vx_no_more <- function(fun, ...) {
  extra <- list(...)
  if (length(extra) > 0) {
    stop(fun, ": unknown argument ", paste0("'", names(extra), "'", collapse = ", "), call. = FALSE)
  }
}

#' @rdname keras_layers
layer_input <- function(shape, ...) {
  .vx_no_more("layer_input", ...)
  structure(list(type = "input", shape = as.integer(shape[1])), class = "vaexprs_layer")
}

#' @rdname keras_layers
layer_dense <- function(object = NULL, units, activation = NULL, ...) {
  .vx_no_more("layer_dense", ...)
  if (!is.numeric(units) || length(units) != 1 || units < 1 || units != floor(units)) {
    stop("layer_dense: units must be one whole number >= 1", call. = FALSE)
  }
  structure(list(type = "dense", units = as.integer(units), activation = if (is.null(activation)) "linear" else activation),
            class = "vaexprs_layer")
}

#' @rdname keras_layers
layer_dropout <- function(object = NULL, rate, ...) {
  .vx_no_more("layer_dropout", ...)
  if (!is.numeric(rate) || length(rate) != 1 || rate < 0 || rate >= 1) {
    stop("layer_dropout: rate must be a number in [0, 1)", call. = FALSE)
  }
  structure(list(type = "dropout", rate = rate), class = "vaexprs_layer")
}

#' @rdname keras_layers
layer_batch_normalization <- function(object = NULL, ...) {
  .vx_no_more("layer_batch_normalization", ...)
  structure(list(type = "batchnorm"), class = "vaexprs_layer")
}

#' @rdname keras_layers
callback_early_stopping <- function(monitor = "val_loss", patience = 0, restore_best_weights = FALSE, ...) {
  .vx_no_more("callback_early_stopping", ...)
  structure(list(monitor = monitor, patience = as.integer(patience), restore_best_weights = restore_best_weights),
            class = "vaexprs_early_stopping")
}

# A layer list as the engine's layer specs ("dense:512:relu", "dropout:0.1", "batchnorm").
.vx_layer_specs <- function(layers, what) {
  if (!is.list(layers) || inherits(layers, "vaexprs_layer")) layers <- list(layers)
  vapply(layers, function(layer) {
    if (!inherits(layer, "vaexprs_layer")) {
      stop(what, " must be a list of layers made by layer_dense(), layer_dropout(), ",
           "layer_batch_normalization() (and layer_input() first)", call. = FALSE)
    }
    switch(layer$type,
           dense = paste0("dense:", layer$units, ":", layer$activation),
           dropout = paste0("dropout:", layer$rate),
           batchnorm = "batchnorm",
           stop(what, ": a ", layer$type, " layer can only come first in encoder_layers", call. = FALSE))
  }, character(1))
}
