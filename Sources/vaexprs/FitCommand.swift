import ArgumentParser
import Foundation
import VAExprs
import VAExprsPlatform

/// `vaexprs fit` (= `fit_vae`).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Fit a VAE (or, with --labels, a conditional VAE) and save the model.")

    @OptionGroup var input: FitInputOptions
    @OptionGroup var model: FitModelOptions
    @Option(
        help:
            """
            Validation matrix, CSV/TSV, 10x folder or .h5ad (same genes; labels from the same source as the \
            training cells').
            """
    )
    var validation: String?
    @Flag(
        help:
            """
            Train on cells streamed from disk a block at a time (an .h5ad with CSR X, or a Cell Ranger .h5; count \
            likelihoods), so memory does not grow with the number of cells. Automatic when training in memory \
            would exceed --memory-limit.
            """
    )
    var stream = false
    @Option(
        help:
            """
            Memory fit may plan to use, e.g. 8G or 500M (default: half of this machine's memory, or of its \
            control group's limit if lower). Larger data are streamed from disk when they can be.
            """
    )
    var memoryLimit: String?
    @Option(
        help:
            """
            When streaming: consecutive cells read from disk at once (training shuffles chunks, then cells within \
            buffers of about 128 MB of counts).
            """
    )
    var chunkCells = 1024
    @Flag(help: "No progress output.")
    var quiet = false
    @Option(help: "Model file to write.")
    var output: String

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        // `--epochs` is optional in the shared options (`utility` has a default); `fit` needs it.
        if model.epochs == nil { throw ValidationError("Missing expected argument '--epochs <epochs>'") }
    }

    func run() throws {
        // Started by mpirun or srun: train together with the other processes (rank 0 reports
        // and writes the model). A failure of one process stops them all (MPI_Abort) instead
        // of leaving them waiting in a collective call; a failure all raise alike (ranks that
        // were not started alike) is reported once, by rank 0, and all end normally.
        let group = MPIProcessGroup.launchedByMPI ? try MPIProcessGroup.join() : nil
        guard let group else { return try fit(group: nil) }
        do { try fit(group: group) } catch let error as VAExprsError {
            CLIErrors.fail(error, in: group)
        } catch {
            CLIErrors.fail(VAExprsError(.other, "\(error)"), in: group)
        }
    }

    private func fit(group: MPIProcessGroup?) throws {
        let silent = quiet || (group?.rank ?? 0) != 0
        let registry = try plugins.registry()
        try OutputSafety.refuseOverlaps(
            inputs: [
                ("--counts", input.counts), ("--labels", input.labels), ("--validation", validation),
                ("--model-spec", model.modelSpec)
            ],
            outputs: [("--output", output)])
        try Fit.checkModelOutput(output)
        let request = try makeRequest(group: group)
        if !silent, let pinned = BLASKernel.userPinnedBelowCPU { printError("fit: note: \(pinned)") }
        let start = Date()
        let model = try Fit.run(
            request, registry: registry, progress: silent ? nil : ProgressPrinter(),
            notes: { if !silent { printNotice($0, command: "fit") } })
        if (group?.rank ?? 0) == 0 { try finish(model, silent: silent, start: start) }
        group?.finish()
    }

    /// The library's request from the parsed options.
    private func makeRequest(group: MPIProcessGroup?) throws -> FitRequest {
        var request = try model.request(counts: input.counts)
        input.apply(to: &request)
        request.training.processGroup = group
        request.validation = validation.map { .file($0) }
        request.stream = stream
        request.memoryLimit =
            try memoryLimit.map { try MemoryBudget.parse($0, parameter: "memoryLimit") } ?? MemoryBudget.defaultLimit
        request.chunkCells = chunkCells
        return request
    }

    /// Saves the model and reports it (only the process that writes; the others are silent).
    private func finish(_ model: TrainedModel, silent: Bool, start: Date) throws {
        try model.save(to: output)
        let h = model.history
        var summary =
            """
            wrote \(output): \(model.conditions == nil ? "VAE" : "CVAE"), \(model.trainingCellIDs.count) training \
            cells × \(model.geneNames.count) genes, \(h.epochs.count) epochs in \
            \(String(format: "%.2f", Date().timeIntervalSince(start))) s
            """
        if let last = h.epochs.last { summary += String(format: ", final loss %.4f", last.loss) }
        if let restored = h.restoredEpoch { summary += ", weights of epoch \(restored) restored (best \(h.monitor))" }
        print(summary)
        if !silent { for note in model.setup?.notes ?? [] { printError("fit: \(note)") } }
        if let warning = Fit.overfittingNotice(h) { printNotice(warning, command: "fit") }
    }
}
