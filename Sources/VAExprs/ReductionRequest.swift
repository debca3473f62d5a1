import Foundation

/// `reduce` as one library call: cells read (a seeded subsample above `maxCells`), optionally
/// log-normalised, the top-variance features kept, and embedded by a reducer.
public struct ReductionRequest {
    /// Cells × genes: CSV/TSV (.gz), a 10x folder, an .h5ad or a Cell Ranger .h5.
    public var input: String
    /// The CSV/TSV has genes in rows.
    public var genesInRows = false
    /// The reducer, e.g. `tsne:perplexity=30`.
    public var reducer: ComponentSpec
    /// Dimensions (nil: 50 for pca, capped by the data; 2 otherwise).
    public var components: Int?
    /// Features of largest variance used (scater's 500); 0 for all.
    public var topGenes = 500
    /// Log-normalise before selecting and embedding: `lognorm`, `none`, or `auto` (when the
    /// cells are counts).
    public var normalization: Normalization = .none
    /// Seed of randomized methods and of the subsample.
    public var seed: UInt64 = 1
    /// At most this many cells.
    public var maxCells = CellSubsample.defaultMaxCells
    /// Threads of numeric work for this call (nil: the default; restored after).
    public var threads: Int?

    /// A request with `reduce`'s defaults.
    public init(input: String, reducer: ComponentSpec) {
        self.input = input
        self.reducer = reducer
    }
}

/// The embedding `Reduction.run` made, with the files it can be written as.
public struct ReductionResult {
    /// Coordinates, axis titles and the method's metadata.
    public var embedding: Embedding
    /// The cells embedded, in order.
    public var cellIDs: [String]
    /// Features the reducer saw.
    public var features: Int
    /// The reducer's name.
    public var method: String
    /// What was done along the way (a subsample).
    public var notes: [Notice]

    /// `cell,dim1,dim2,...`.
    public var csv: String { Reduction.csv(embedding, cellIDs: cellIDs) }

    /// The method, sizes, axis titles and the method's metadata as JSON.
    public func metadataJSON() throws -> [UInt8] {
        var object: [String: Any] = [
            "method": method, "components": embedding.coordinates.columns, "features": features,
            "axis_titles": embedding.axisTitles
        ]
        for (key, value) in embedding.metadata { object[key] = value }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
    }
}

extension Reduction {
    /// The embedding `request` asks for.
    /// - Throws: `VAExprsError` naming the file or parameter at fault.
    public static func run(_ request: ReductionRequest, registry: Registry) throws -> ReductionResult {
        let reducer = try registry.makeReducer(request.reducer)
        return try ThreadCount.using(request.threads) { try reduce(request, reducer: reducer, registry: registry) }
    }

    private static func reduce(_ request: ReductionRequest, reducer: any Reducer, registry: Registry) throws
        -> ReductionResult
    {
        let cells = try CellSubsample.read(
            request.input, genesInRows: request.genesInRows, maxCells: request.maxCells, seed: request.seed)
        let notes =
            cells.isSubsample
            ? [CellSubsample.notice(path: request.input, kept: cells.matrix.cellCount, total: cells.totalCells)] : []
        let data = cells.matrix
        var values = DoubleMatrix(data.dense())
        if request.normalization.logNormalizes(real: data) {
            values = DoubleMatrix(try LogNormalization.normalized(data, source: request.input))
        }
        var rng = SeededGenerator(seed: request.seed)
        let (embedding, features) = try embed(
            values, reducer: reducer, components: request.components,
            defaultComponents: try registry.facts(.reducer, request.reducer).defaultComponents,
            topFeatures: request.topGenes, rng: &rng)
        return ReductionResult(
            embedding: embedding, cellIDs: data.cellIDs, features: features, method: request.reducer.name, notes: notes)
    }
}
