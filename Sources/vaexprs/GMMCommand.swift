import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs gmm`: the mclust-equivalent mixture search on a CSV of points, with output that
/// can be compared with R's `mclustBIC` directly.
struct GMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm",
        abstract:
            """
            Fit Gaussian mixtures as R's mclust does (14 covariance models × G, chosen by BIC) and optionally \
            sample from the winner.
            """
    )

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
        try ThreadCount.check(threads)
        if let samples, samples <= 0 || samples > Generator.maximumCells {
            throw VAExprsError.usage(
                "--samples must be a whole number from 1 to \(Generator.maximumCells), got \(samples)")
        }
        if samples != nil && samplesOutput == nil { throw VAExprsError.usage("--samples needs --samples-output FILE") }
        try OutputSafety.refuseOverlaps(inputs: [("--input", input)], outputs: [("--samples-output", samplesOutput)])
        if let samplesOutput { try AtomicOutput.checkDestination(samplesOutput) }
        var rng = SeededGenerator(seed: seed)
        BLAS.setThreads(threads ?? ThreadCount.default)
        let report = try MixtureReport.fit(input, components: componentList, models: modelList, rng: &rng)
        if let samples, let samplesOutput {
            let output = AtomicOutput()
            let sink = try output.open(samplesOutput)
            try report.writeSamples(samples, to: sink, rng: &rng)
            try sink.close()
            try output.commit()
        }
        if json {
            print(try report.json())
        } else {
            print(report.text, terminator: "")
            if let samplesOutput { print("wrote \(samples!) samples to \(samplesOutput)") }
        }
    }
}
