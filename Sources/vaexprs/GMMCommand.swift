import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs gmm`: the mclust-equivalent mixture search on a CSV of points, with output that
/// can be compared with R's `mclustBIC` directly.
struct GMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm",
        abstract: "Fit Gaussian mixtures as R's mclust does (14 covariance models × G, chosen by BIC) and optionally sample from the winner.")

    @Option(help: "CSV/TSV of points with a header row (a first column of non-numbers is taken as ids).")
    var input: String
    @Option(help: "Numbers of components, e.g. 1..9 or 2,3.")
    var components = "1..9"
    @Option(help: "Models to try, e.g. VVV,EEE (default: all 14; E,V in one dimension).")
    var models: String?
    @Option(help: "Draw this many points from the winning mixture.")
    var samples: Int?
    @Option(help: "Seed for the initialisation subset (n > 2000) and the samples.")
    var seed: UInt64 = 1
    @Option(help: "Where to write the samples (CSV); required with --samples.")
    var samplesOutput: String?
    @Option(help: "Threads for numeric work.")
    var threads: Int?
    @Flag(help: "Print one JSON object (model, components, bic, loglik, parameters, bic_table).")
    var json = false

    func run() throws {
        let componentList = try MclustLatentSampler.parseComponents(components, source: "--components")
        let modelList = try models.map { try MclustLatentSampler.parseModels($0, source: "--models") }
        try checkThreadCount(threads)
        if let samples, samples <= 0 || samples > Generator.maximumCells {
            throw VAExprsError.usage("--samples must be a whole number from 1 to \(Generator.maximumCells), got \(samples)")
        }
        if samples != nil && samplesOutput == nil { throw VAExprsError.usage("--samples needs --samples-output FILE") }
        try OutputSafety.refuseOverlaps(inputs: [("--input", input)], outputs: [("--samples-output", samplesOutput)])
        if let samplesOutput { try AtomicOutput.checkDestination(samplesOutput) }
        let (_, columns, points) = try PointsCSV.read(input)
        var rng = SeededGenerator(seed: seed)
        BLAS.setThreads(threads ?? defaultThreadCount)
        let search = try MixtureSearch.run(points, components: componentList, models: modelList, rng: &rng)
        let best = search.best
        if let samples, let samplesOutput {
            // Streamed a block at a time (the same draws as one call): any number fits in memory.
            let mixture = FittedMixture(fit: best, dimension: points.columns, summary: "")
            let output = AtomicOutput()
            let sink = try output.open(samplesOutput)
            try sink.write(columns.map(ExpressionCSV.quoteIfNeeded).joined(separator: ",") + "\n")
            var remaining = samples
            while remaining > 0 {
                let drawn = mixture.sample(count: min(remaining, 1 << 14), rng: &rng)
                var text = ""
                for i in 0..<drawn.rows {
                    text += (0..<drawn.columns).map { "\(drawn[i, $0])" }.joined(separator: ",") + "\n"
                }
                try sink.write(text)
                remaining -= drawn.rows
            }
            try sink.close()
            try output.commit()
        }
        let triedModels = (modelList ?? (points.columns == 1 ? MixtureModel.univariate : MixtureModel.multivariate))
        let maxG = componentList.max()!
        if json {
            var table: [String: Any] = [:]
            for model in triedModels {
                table[model.rawValue] = (1...maxG).map { g -> Any in search.table[model]?[g] ?? NSNull() }
            }
            let object: [String: Any] = [
                "model": best.model.name(components: best.components),
                "components": best.components,
                "bic": best.bic,
                "loglik": best.loglik,
                "n": points.rows, "d": points.columns,
                "parameters": [
                    "pro": best.parameters.proportions,
                    "mean": best.parameters.means,
                    "variance": best.parameters.covariances.map { c in
                        (0..<points.columns).map { r in Array(c[(r * points.columns)..<((r + 1) * points.columns)]) }
                    },
                ],
                "bic_table": table,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("best: \(best.model.name(components: best.components)) with \(best.components) component(s), BIC \(String(format: "%.6f", best.bic)), log-likelihood \(String(format: "%.6f", best.loglik)) (\(points.rows) points, \(points.columns) dimensions)")
            print("BIC" + (1...maxG).map { "\t\($0)" }.joined())
            for model in triedModels {
                print(model.rawValue + (1...maxG).map { g in search.table[model]?[g].map { "\t" + String(format: "%.3f", $0) } ?? "\tNA" }.joined())
            }
            if let samplesOutput { print("wrote \(samples!) samples to \(samplesOutput)") }
        }
    }
}
