import ArgumentParser
import Foundation
import VAExprs
import VAExprsPlatform

/// The `vaexprs` command: fit variational autoencoders on expression data and generate cells.
@main
struct VAExprsCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vaexprs",
        abstract:
            "Fit (conditional) variational autoencoders to expression data and generate realistic synthetic cells.",
        version: VAExprsVersion.description,
        subcommands: [
            FitCommand.self, GenerateCommand.self, GMMCommand.self, ReduceCommand.self, PlotCommand.self,
            PluginsCommand.self, PluginCommand.self, EvaluateCommand.self, UtilityCommand.self, DemoCommand.self,
            InspectCommand.self,
            ComponentsCommand.self, InfoCommand.self
        ])

    static func main() {
        // Descriptors 0–2 open before any file is: under `2>&-` an output would otherwise take
        // descriptor 2 and receive the diagnostics.
        StandardStreams.reopenClosed()
        // Before anything else runs a product: OpenBLAS's kernels for this CPU (see `vaexprs info`).
        BLASKernel.prepare()
        // An interrupted command leaves no temporary files behind.
        TemporaryFiles.removeOnTermination()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as VAExprsError {
            CLIErrors.fail(error)
        } catch {
            CLIErrors.failParsing(error)
        }
    }
}
