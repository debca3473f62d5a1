/// A low-dimensional embedding of cells with what the method reports about it.
public struct Embedding: Sendable {
    /// Coordinates, cells × components.
    public var coordinates: DoubleMatrix
    /// Named metadata (e.g. `explained_variance_ratio` for PCA, `eigenvalues` for MDS).
    public var metadata: [String: [Double]]
    /// Axis titles, e.g. `PC1 (23.4 %)`.
    public var axisTitles: [String]

    /// An embedding from its parts.
    public init(coordinates: DoubleMatrix, metadata: [String: [Double]] = [:], axisTitles: [String]) {
        self.coordinates = coordinates
        self.metadata = metadata
        self.axisTitles = axisTitles
    }
}

/// A dimension-reduction method (PCA, MDS, ...): cells × features → cells × components.
public protocol Reducer: Sendable {
    /// The spec that made it (its options are the method's typed settings).
    var spec: ComponentSpec { get }
    /// Embeds `data` (rows = cells) in `components` dimensions.
    func reduce(_ data: DoubleMatrix, components: Int, rng: inout SeededGenerator) throws -> Embedding
}
