// A Swift plugin imports only this module: the core's protocols (Layer, Activation, Likelihood,
// Prior, LatentSampler, Reducer, Renderer) and value types come with it.
@_exported import VAExprsCore
