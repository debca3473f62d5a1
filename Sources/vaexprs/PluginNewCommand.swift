import ArgumentParser
import Foundation
import VAExprs

/// `vaexprs plugin new`: scaffold a run-time plugin.
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Scaffold a run-time plugin (see Templates/).",
        subcommands: [PluginNewCommand.self])
}

/// `vaexprs plugin new --kind KIND --language swift|c --name NAME --output DIR`.
struct PluginNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a plugin (sources, build file, README) that builds with one command and loads unchanged.")

    @Option(help: "layer, activation, likelihood, prior, latent-sampler, reducer or renderer.")
    var kind: String
    @Option(help: "swift or c.")
    var language: String
    @Option(help: "The component's name (a–z, 0–9, _).")
    var name: String
    @Option(help: "Folder to write the plugin into (created).")
    var output: String
    @Option(help: "The Templates folder (default: $VAEXPRS_TEMPLATES, or the checkout vaexprs was built in).")
    var templates: String?

    func run() throws {
        let folder = try PluginScaffold.templatesFolder(explicit: templates)
        let files = try PluginScaffold.write(
            kind: kind, language: language, name: name, output: output, templates: folder)
        for file in files { print("wrote \(file)") }
        print(language == "c" ? "build: cd \(output) && make" : "build: cd \(output) && swift build -c release")
    }
}
