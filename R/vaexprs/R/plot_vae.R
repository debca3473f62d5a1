#' Draw a model's architecture
#'
#' The original package's \code{plot_vae}: the layers as a graph (Graphviz), nodes coloured by
#' part. The result prints as the graph (with DiagrammeR when installed, else as an SVG file
#' opened in the browser) and holds the Graphviz source (\code{dot}) and the SVG (\code{svg}).
#'
#' @param x A model from \code{fit_vae} (or its \code{$model}, or \code{load_vae}).
#' @param node_color Colours of the parts: \code{encoder_col}, \code{mean_vector_col},
#'   \code{stddev_vector_col}, \code{latent_vector_col}, \code{decoder_col}, \code{condition_col}.
#' @return A \code{vaexprs_graph}: \code{dot}, \code{svg}.
#' @export
plot_vae <- function(x, node_color = list(encoder_col = "tomato", mean_vector_col = "orange",
                                          stddev_vector_col = "lavender", latent_vector_col = "lightblue",
                                          decoder_col = "palegreen", condition_col = "gray")) {
  model <- if (inherits(x, "vaexprs_vae")) x$model else x
  parts <- c(encoder_col = "encoder", mean_vector_col = "mean", stddev_vector_col = "stddev",
             latent_vector_col = "latent", decoder_col = "decoder", condition_col = "condition")
  unknown <- setdiff(names(node_color), names(parts))
  if (length(unknown) > 0) {
    stop("node_color: unknown part ", paste0("'", unknown, "'", collapse = ", "), "; give ",
         paste(names(parts), collapse = ", "), call. = FALSE)
  }
  colours <- stats::setNames(as.list(unlist(node_color)), parts[names(node_color)])
  dot <- rawToChar(.vx_call("vx_plot_model", model, .vx_options(list(format = "dot", colours = colours)), .vx_names()))
  svg <- rawToChar(.vx_call("vx_plot_model", model, .vx_options(list(format = "svg", colours = colours)), .vx_names()))
  structure(list(dot = dot, svg = svg), class = "vaexprs_graph")
}

#' @export
print.vaexprs_graph <- function(x, ...) {
  if (requireNamespace("DiagrammeR", quietly = TRUE)) {
    print(DiagrammeR::grViz(x$dot))
  } else {
    file <- tempfile(fileext = ".svg")
    writeLines(x$svg, file)
    if (interactive()) utils::browseURL(file)
    cat("model architecture: ", file, "\n", sep = "")
  }
  invisible(x)
}
