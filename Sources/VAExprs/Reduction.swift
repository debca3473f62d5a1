/// `reduce`: cells embedded by a reducer (`run`), and what `reduce` and `plot aug` both do
/// before a reducer runs: keep the top-variance features (scater's default 500), then embed.
public enum Reduction {
    /// The embedding of `values` (rows = cells) and how many features it used; `components`
    /// nil takes the reducer's registered default (`ComponentFacts.defaultComponents`).
    package static func embed(
        _ values: DoubleMatrix, reducer: any Reducer, components: Int?, defaultComponents: Int = 2,
        topFeatures: Int, rng: inout SeededGenerator
    ) throws -> (embedding: Embedding, features: Int) {
        guard topFeatures >= 0 else {
            throw VAExprsError.usage("\(parameter: "topGenes") must be ≥ 0, got \(topFeatures)")
        }
        var x = values
        let selected = GeneSelection.topVariance(values, count: topFeatures)
        if selected.count < values.columns { x = values.gatherColumns(selected) }
        let k = components ?? min(defaultComponents, x.rows, x.columns)
        return (try reducer.reduce(x, components: k, rng: &rng), selected.count)
    }

    /// The embedding as CSV: `cell,dim1,dim2,...`.
    package static func csv(_ embedding: Embedding, cellIDs: [String]) -> String {
        let k = embedding.coordinates.columns
        var text = "cell," + (1...k).map { "dim\($0)" }.joined(separator: ",") + "\n"
        for (i, id) in cellIDs.enumerated() {
            text +=
                ExpressionCSV.quoteIfNeeded(id) + ","
                + (0..<k).map { "\(embedding.coordinates[i, $0])" }.joined(separator: ",") + "\n"
        }
        return text
    }
}
