import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs inspect`: a model file's architecture, preprocessing and history as JSON.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model's architecture, preprocessing, labels and loss history as JSON.")

    @Argument(help: "Model file.")
    var model: String

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let trained = try TrainedModel.load(model, registry: try plugins.registry())
        print(try trained.inspectionJSON())
    }
}
