/// Whether a forward pass is for training (dropout active, batch statistics) or inference.
public enum Phase: Sendable {
    /// Training: stochastic layers are active and batch statistics are used.
    case training
    /// Inference: deterministic.
    case inference
}

/// A neural-network layer with an explicit backward pass.
///
/// Contract (as swift-apis' `appliedForBackpropagation`): `forward` caches what `backward`
/// needs; `backward` returns the gradient with respect to the input and *overwrites* the
/// gradients of `parameters` under their paths. One forward precedes each backward.
public protocol Layer: AnyObject {
    /// The spec that re-creates this layer through the registry (stored in model files).
    var spec: ComponentSpec { get }
    /// Trainable parameters, created by `build`.
    var parameters: [Parameter] { get }
    /// Non-trainable state saved with the model (e.g. batch-norm running statistics).
    var buffers: [Parameter] { get }
    /// When false, `backward` may skip computing the input gradient (first layer of a stack).
    var computesInputGradient: Bool { get set }
    /// Allocates and initialises parameters for `inputWidth` features under `path`;
    /// returns the output width.
    func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int
    /// Computes the layer's output for a batch (rows = cells).
    func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix
    /// Back-propagates `outputGradient`; returns the input gradient (empty when not computed).
    func backward(_ outputGradient: Matrix) -> Matrix
}

/// A layer that can read a batch of sparse cells directly, as the first layer of an encoder
/// on count data: x·W over the stored entries only (and the weight gradient likewise), with
/// no dense cells × genes batch. `backward` after this forward works as after the dense one.
public protocol SparseInputLayer: Layer {
    /// `forward` for a CSR batch (rows = cells).
    func forward(sparse input: SparseMatrix, phase: Phase, rng: inout SeededGenerator) -> Matrix
}

/// A layer whose matrix products can take bfloat16 inputs (`ProductPrecision`); training sets
/// the precision, inference leaves float32.
package protocol PrecisionSelectableLayer: Layer {
    /// The precision of the layer's products' inputs.
    var productPrecision: ProductPrecision { get set }
}

extension Layer {
    /// No buffers by default.
    public var buffers: [Parameter] { [] }
}

/// This process's share of a global mini-batch in data-parallel training: the rows it holds,
/// the batch's size, and sums over every process. Layers whose training forward pass looks
/// across cells (batch statistics) or draws per cell (dropout) use it to compute what one
/// process holding the whole batch would.
public protocol BatchShare: AnyObject, Sendable {
    /// The rows of the global batch this process holds.
    var rows: Range<Int> { get }
    /// Cells in the global batch.
    var globalCount: Int { get }
    /// Element-wise sums over every process, in place (a failure leaves the values as they
    /// were and is thrown by the training step once the layers have run).
    func sum(_ values: inout [Double])
}

/// A layer whose training pass depends on the whole batch (batch normalisation) or draws per
/// cell (dropout): told of the share before each data-parallel step, nil otherwise.
public protocol BatchShareAware: Layer {
    /// The share of the current global batch; nil when the batch is whole.
    var batchShare: (any BatchShare)? { get set }
}
