/// Per-cell inputs of a likelihood besides the decoder output, row-aligned with the batch.
public struct CellContext: Sendable, Equatable {
    /// Each cell's library size (total counts over the model's genes); nil when the data are
    /// not counts.
    public var librarySize: [Float]?
    /// Each cell's label group (0 ..< groups, the model's label combinations in sorted order);
    /// nil for a plain VAE.
    public var group: [Int32]?
    /// Each cell's parameter-free negative log-likelihood term (`Likelihood.constantTerms`),
    /// when it was computed ahead; a likelihood computes it itself otherwise.
    public var constant: [Double]?

    /// A context; every part is optional.
    public init(librarySize: [Float]? = nil, group: [Int32]? = nil, constant: [Double]? = nil) {
        self.librarySize = librarySize
        self.group = group
        self.constant = constant
    }

    /// No per-cell inputs.
    public static let none = CellContext()

    /// The context of a subset of rows, in the order given.
    public func gatherRows<C: Collection>(_ rows: C) -> CellContext where C.Element == Int {
        CellContext(
            librarySize: librarySize.map { v in rows.map { v[$0] } },
            group: group.map { v in rows.map { v[$0] } },
            constant: constant.map { v in rows.map { v[$0] } })
    }
}
