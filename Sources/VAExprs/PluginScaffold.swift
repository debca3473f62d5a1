import Foundation

/// `plugin new`: writes a plugin of one kind, in Swift (on VAExprsPluginKit) or C (on the ABI
/// header), from the scaffolds in Templates/.
package enum PluginScaffold {
    /// Kinds a scaffold exists for.
    package static let kinds = ["layer", "activation", "likelihood", "prior", "latent-sampler", "reducer", "renderer"]
    /// Languages.
    package static let languages = ["swift", "c"]

    /// The Templates folder: `explicit`, `$VAEXPRS_TEMPLATES`, or the nearest `Templates/` above
    /// the running executable (the package checkout it was built in).
    package static func templatesFolder(explicit: String?) throws -> String {
        let isTemplates = { (dir: String) in FileManager.default.fileExists(atPath: dir + "/c/plugin.c.template") }
        if let explicit {
            guard isTemplates(explicit) else {
                throw VAExprsError.usage(
                    "\(parameter: "templates") \(explicit): not a VAExprs Templates folder (no c/plugin.c.template)")
            }
            return explicit
        }
        if let env = ProcessInfo.processInfo.environment["VAEXPRS_TEMPLATES"], isTemplates(env) { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("Templates").path
            if isTemplates(candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw VAExprsError.usage(
            """
            cannot find the Templates folder of the VAExprs checkout; give \(parameter: "templates") DIR or set \
            VAEXPRS_TEMPLATES
            """
        )
    }

    /// Writes the scaffold into `output` (created; must not already hold a plugin) and returns the files written.
    package static func write(kind: String, language: String, name: String, output: String, templates: String) throws
        -> [String]
    {
        guard kinds.contains(kind) else {
            throw VAExprsError.usage(
                "\(parameter: "kind") must be one of \(kinds.joined(separator: ", ")), got '\(kind)'")
        }
        guard languages.contains(language) else {
            throw VAExprsError.usage("\(parameter: "language") must be swift or c, got '\(language)'")
        }
        guard ComponentName.isValid(name) else {
            throw VAExprsError.usage(
                """
                \(parameter: "name") '\(ComponentName.shown(name))' must be \(ComponentName.rule) (it becomes the \
                component's name)
                """
            )
        }
        if let builtin = try Builtins.makeRegistry().entriesSorted.first(where: { $0.name == name }) {
            throw VAExprsError.usage(
                """
                \(parameter: "name") '\(name)' is the name of the built-in \(builtin.kind.rawValue) '\(name)'; a \
                plugin's component needs a name of its own, e.g. '\(name)_plugin' or 'my_\(name)'
                """
            )
        }
        // The checkout holding the templates: C scaffolds copy its ABI header, Swift ones build
        // against its VAExprsPluginKit (a path dependency, whose identity is the folder's name).
        let checkout = URL(fileURLWithPath: templates).standardizedFileURL.deletingLastPathComponent()
        let header = checkout.appendingPathComponent("Sources/CVAExprsPluginABI/include/vaexprs_plugin.h").path
        guard let headerText = try? String(contentsOfFile: header, encoding: .utf8) else {
            throw VAExprsError.usage("cannot read the plugin ABI header at \(header)")
        }
        let target = name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Plugin"
        let library = language == "c" ? "./lib\(name).so" : ".build/release/lib\(target).so"
        let usage: [String: String] = [
            "layer":
                """
            vaexprs fit --counts counts.csv --encoder dense:64:relu,\(name) --plugin \(library) --output \
            model.vaexprs
            """,
            "activation":
                "vaexprs fit --counts counts.csv --encoder dense:64:\(name) --plugin \(library) --output model.vaexprs",
            "likelihood":
                "vaexprs fit --counts counts.csv --likelihood \(name) --plugin \(library) --output model.vaexprs",
            "prior": "vaexprs fit --counts counts.csv --prior \(name) --plugin \(library) --output model.vaexprs",
            "latent-sampler":
                "vaexprs generate model.vaexprs --sampler \(name) --plugin \(library) --output generated.csv",
            "reducer": "vaexprs reduce --method \(name) --plugin \(library) --input counts.csv --output embedding.csv",
            "renderer":
                """
            vaexprs plot aug --real counts.csv --generated generated.csv --plugin \(library) --output \
            figure.\(name).json
            """
        ]
        let what: [String: String] = [
            "layer": "a per-feature scale and bias, identity at initialisation, with its exact backward pass",
            "activation": "the identity", "likelihood": "a unit-variance Gaussian", "prior": "the standard normal",
            "latent-sampler": "a diagonal Gaussian fitted to the latent means",
            "reducer": "the first k features, centred",
            "renderer": "the figure description written as JSON"
        ]
        func fill(_ text: String) -> String {
            [
                ("{{NAME}}", name), ("{{PLUGIN}}", name.replacingOccurrences(of: "_", with: "-")),
                ("{{TARGET}}", target),
                ("{{KIND}}", kind), ("{{USAGE}}", usage[kind]!), ("{{WHAT}}", what[kind]!),
                ("{{PACKAGE_PATH}}", checkout.path), ("{{PACKAGE_IDENTITY}}", checkout.lastPathComponent.lowercased())
            ]
            .reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        }
        func read(_ relative: String) throws -> String {
            let path = (templates as NSString).appendingPathComponent(relative)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw VAExprsError.usage("missing template \(path)")
            }
            return text
        }
        var files: [(String, String)] = []
        if language == "c" {
            files = [
                ("\(name).c", fill(try read("c/\(kind).c") + read("c/plugin.c.template"))),
                ("Makefile", fill(try read("c/Makefile.template"))),
                ("README.md", fill(try read("c/README.md.template"))),
                ("include/vaexprs_plugin.h", headerText)
            ]
        } else {
            files = [
                (
                    "Sources/\(target)/\(name).swift",
                    fill(
                        try read("swift/common.swift.template") + read("swift/\(kind).swift")
                            + read("swift/plugin.swift.template"))
                ),
                ("Package.swift", fill(try read("swift/Package.swift.template"))),
                ("README.md", fill(try read("swift/README.md.template")))
            ]
        }
        let manager = FileManager.default
        // A scaffold goes into a new or empty folder: nothing of the user's is replaced.
        if let held = try? manager.contentsOfDirectory(atPath: output), !held.isEmpty {
            let shown = held.sorted().prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            throw VAExprsError(
                .cannotWrite,
                """
                \(parameter: "output") \(output): already holds \(shown)\(held.count > 5 ? " and more" : ""); a \
                scaffold is written only into a new or empty folder, so nothing was changed: choose another
                """
            )
        }
        // Folders this call creates, removed again (when still empty) if anything fails.
        var created: [String] = []
        func removeCreated() { for folder in created.reversed() { _ = rmdir(folder) } }
        func createFolders(_ folder: String) throws {
            var missing: [String] = [], next = folder
            while !next.isEmpty && next != "/" && !manager.fileExists(atPath: next) {
                missing.insert(next, at: 0)
                next = (next as NSString).deletingLastPathComponent
            }
            for path in missing {
                guard mkdir(path, 0o755) == 0 else {
                    throw VAExprsError(
                        .cannotWrite,
                        "\(parameter: "output") \(output): cannot create \(path) (\(String(cString: strerror(errno))))")
                }
                created.append(path)
            }
        }
        let outputs = AtomicOutput()
        do {
            for (relative, text) in files {
                let path = (output as NSString).appendingPathComponent(relative)
                try createFolders((path as NSString).deletingLastPathComponent)
                try outputs.stage(text: text, at: path)
            }
            try outputs.commit()
        } catch {
            outputs.discard()
            removeCreated()
            throw error
        }
        return files.map { (output as NSString).appendingPathComponent($0.0) }
    }
}
