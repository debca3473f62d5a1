import ArgumentParser
import VAExprs

/// `vaexprs components`: every registered component with its kind and origin.
struct ComponentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List the registered layers, activations, likelihoods, priors, samplers and optimizers.")

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        for entry in try plugins.registry().entriesSorted {
            print("\(entry.kind.rawValue)\t\(entry.name)\t\(entry.origin)")
        }
    }
}
