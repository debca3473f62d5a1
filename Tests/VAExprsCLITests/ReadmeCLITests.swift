import Foundation
import Testing
import VAExprsTestSupport

/// Issue 15: the README works as written. Every `$B …` command of its `sh` blocks runs, in
/// order, in one folder holding the shipped `pbmc_small` data under the names the README
/// uses (`counts.csv.gz`, `labels.csv`, `counts.h5ad`, `atlas.h5ad`), and a `plugins/`
/// folder filled as the plugin block's `cp` line fills it, from this build's example
/// libraries (built with the tests by `scripts/test.sh`). Left out: synopsis lines (optional
/// arguments in brackets). To keep the suite fast, `--epochs` is capped at 3 and
/// `--num-samples` at 1 000; nothing else is changed.
@Suite(.serialized) struct ReadmeCLITests {
    let dir = TestPaths.scratch("readme")

    /// How `commands()` marks a plugin package's build (the folder follows).
    static let buildPrefix = "swift-build "

    /// The README's `$B` commands and plugin builds, continuation lines joined and trailing
    /// comments removed.
    static func commands() throws -> [String] {
        let text = try String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8)
        var commands: [String] = [], inBlock = false, pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if raw.hasPrefix("```") {
                inBlock = raw == "```sh"
                pending = ""
                continue
            }
            guard inBlock else { continue }
            var line = raw
            if let comment = line.range(of: #"\s{2,}#.*$"#, options: .regularExpression) {
                line.removeSubrange(comment)
            }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let command = pending + line
            pending = ""
            // A plugin package's build: `(cd DIR && swift build -c release)`.
            if let match = command.firstMatch(of: #/^\(cd (\S+) && swift build -c release\)$/#) {
                commands.append(buildPrefix + match.1)
                continue
            }
            guard command.hasPrefix("$B ") else { continue }
            if command.contains("[--") { continue }
            commands.append(String(command.dropFirst(3)))
        }
        return commands
    }

    /// Shell words: whitespace-separated, double quotes group.
    static func words(_ command: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, started = false
        for c in command {
            if c == "\"" {
                quoted.toggle()
                started = true
                continue
            }
            if c == " " && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
                continue
            }
            current.append(c)
            started = true
        }
        if started { words.append(current) }
        return words
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "needs ../shared/data (the shipped pbmc_small)"))
    func everyReadmeCommandRunsOnTheShippedData() throws {
        let fm = FileManager.default
        for (source, name) in [
            ("counts.csv.gz", "counts.csv.gz"), ("labels.csv", "labels.csv"), ("data.h5ad", "counts.h5ad"),
            ("data.h5ad", "atlas.h5ad")
        ] {
            try? fm.removeItem(atPath: dir + "/" + name)
            try fm.copyItem(atPath: TestPaths.dataset("pbmc_small", source), toPath: dir + "/" + name)
        }
        let plugins = dir + "/plugins", built = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        try? fm.removeItem(atPath: plugins)
        for scaffold in ["my_reducer", "scale_shift"] { try? fm.removeItem(atPath: dir + "/" + scaffold) }
        try fm.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        for library in ["libGatedDensePlugin.so", "libFFIActivationsPlugin.so"] {
            try fm.copyItem(atPath: built + "/" + library, toPath: plugins + "/" + library)
        }
        try fm.copyItem(
            atPath: TestPaths.packageRoot + "/Plugins/FFIActivations/libFFIActivationsPlugin.json",
            toPath: plugins + "/libFFIActivationsPlugin.json")
        let commands = try Self.commands()
        #expect(commands.count >= 20, "the README's commands were not found: \(commands)")
        for command in commands {
            if command.hasPrefix(Self.buildPrefix) {
                try buildPluginPackage(dir + "/" + command.dropFirst(Self.buildPrefix.count))
                continue
            }
            var arguments = Self.words(command)
            for (option, cap) in [("--epochs", 3), ("--num-samples", 1_000)] {
                if let i = arguments.firstIndex(of: option), i + 1 < arguments.count, let n = Int(arguments[i + 1]),
                    n > cap
                {
                    arguments[i + 1] = String(cap)
                }
            }
            let r = try CLIRunner.run(arguments, in: dir, timeLimit: 300)
            #expect(r.status == 0, "README command failed: vaexprs \(command)\n\(r.stderr)")
        }
    }

    /// Builds a plugin package as the README does, in the tests' shared Swift build folder,
    /// which the package's `.build` then links to (so its `.build/release/lib….so` exists).
    func buildPluginPackage(_ folder: String) throws {
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "-c", "release", "-q", "--scratch-path", TestPaths.swiftPluginBuild]
        build.currentDirectoryURL = URL(fileURLWithPath: folder)
        build.standardOutput = FileHandle.nullDevice
        try build.run()
        build.waitUntilExit()
        #expect(build.terminationStatus == 0, "README plugin package \(folder) does not build")
        try? FileManager.default.removeItem(atPath: folder + "/.build")
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/.build", withDestinationPath: TestPaths.swiftPluginBuild)
    }

    /// The Swift plugin the README shows is exactly the file `plugin new` writes (which the
    /// commands above build, load and train), and stays under 40 lines.
    @Test func readmeSwiftPluginIsTheLayerScaffold() throws {
        let text = try String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8)
        guard let block = text.matches(of: #/```swift\n((?s).*?)```/#).first(where: { $0.1.contains("PluginExport") })
        else {
            Issue.record("the README shows no Swift plugin")
            return
        }
        let out = dir + "/scaffold-scale-shift"
        let new = try CLIRunner.run([
            "plugin", "new", "--kind", "layer", "--language", "swift", "--name", "scale_shift", "--output", out
        ])
        #expect(new.status == 0, "\(new.stderr)")
        let written = try String(contentsOfFile: out + "/Sources/ScaleShiftPlugin/scale_shift.swift", encoding: .utf8)
        #expect(String(block.1) == written)
        #expect(written.split(separator: "\n", omittingEmptySubsequences: false).count - 1 <= 40)
    }
}
