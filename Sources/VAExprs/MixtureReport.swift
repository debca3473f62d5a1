import Foundation

/// `gmm` as library calls: the mclust-equivalent mixture search on a file of points, its
/// report in mclust's terms (`mclustBIC`'s table, the winner's parameters) and draws from
/// the winner streamed to a file.
public struct MixtureReport {
    /// Every fit's BIC and the winner.
    public var search: MixtureSearch
    /// The models tried (all 14, or E and V in one dimension, unless chosen).
    public var models: [MixtureModel]
    /// The largest number of components tried.
    package var maximumComponents: Int
    /// The points' column names.
    package var columns: [String]
    /// The number of points.
    package var points: Int

    /// Fits mixtures of `components` components (and `models`, nil for all) to the points of
    /// `path` (CSV/TSV with a header row; a first column of non-numbers is ids).
    /// - Throws: `VAExprsError` naming the file or the values at fault.
    public static func fit(_ path: String, components: [Int], models: [MixtureModel]?, rng: inout SeededGenerator)
        throws -> MixtureReport
    {
        let (_, columns, points) = try PointsCSV.read(path)
        let search = try MixtureSearch.run(points, components: components, models: models, rng: &rng)
        return MixtureReport(
            search: search,
            models: models ?? (points.columns == 1 ? MixtureModel.univariate : MixtureModel.multivariate),
            maximumComponents: components.max() ?? 1, columns: columns, points: points.rows)
    }

    /// One JSON object: model, components, bic, loglik, n, d, the winner's parameters and the
    /// BIC table (null where a fit failed, as mclust's NA).
    public func json() throws -> String {
        let best = search.best, d = columns.count
        var table: [String: Any] = [:]
        for model in models {
            table[model.rawValue] = (1...maximumComponents).map { g -> Any in search.table[model]?[g] ?? NSNull() }
        }
        let object: [String: Any] = [
            "model": best.model.name(components: best.components), "components": best.components,
            "bic": best.bic, "loglik": best.loglik, "n": points, "d": d,
            "parameters": [
                "pro": best.parameters.proportions,
                "mean": best.parameters.means,
                "variance": best.parameters.covariances.map { c in
                    (0..<d).map { r in Array(c[(r * d)..<((r + 1) * d)]) }
                }
            ],
            "bic_table": table
        ]
        return String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The winner, then the BIC table as mclust prints it (NA where a fit failed).
    public var text: String {
        let best = search.best
        var lines = [
            """
            best: \(best.model.name(components: best.components)) with \(best.components) component(s), BIC \
            \(String(format: "%.6f", best.bic)), log-likelihood \(String(format: "%.6f", best.loglik)) (\(points) \
            points, \(columns.count) dimensions)
            """,
            "BIC" + (1...maximumComponents).map { "\t\($0)" }.joined()
        ]
        for model in models {
            lines.append(
                model.rawValue
                    + (1...maximumComponents).map { g in
                        search.table[model]?[g].map { "\t" + String(format: "%.3f", $0) } ?? "\tNA"
                    }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `count` draws from the winning mixture to `sink` as CSV under the points' column
    /// names, a block at a time (the same draws as one call), so any number fits in memory.
    package func writeSamples(_ count: Int, to sink: ByteSink, rng: inout SeededGenerator) throws {
        let mixture = FittedMixture(fit: search.best, dimension: columns.count, summary: "")
        try sink.write(columns.map(ExpressionCSV.quoteIfNeeded).joined(separator: ",") + "\n")
        var remaining = count
        while remaining > 0 {
            let drawn = mixture.sample(count: min(remaining, 1 << 14), rng: &rng)
            var text = ""
            for i in 0..<drawn.rows {
                text += (0..<drawn.columns).map { "\(drawn[i, $0])" }.joined(separator: ",") + "\n"
            }
            try sink.write(text)
            remaining -= drawn.rows
        }
    }
}
