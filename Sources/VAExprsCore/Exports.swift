// What every component and plugin author needs comes with the core: errors and notices, the
// matrices and random numbers components compute with, and the figure model renderers draw.
@_exported import VAExprsErrors
@_exported import VAExprsFigure
@_exported import VAExprsNumerics
