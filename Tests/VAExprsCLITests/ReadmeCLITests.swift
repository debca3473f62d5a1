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

    /// The README's `$B` commands, continuation lines joined and trailing comments removed.
    static func commands() throws -> [String] {
        let text = try String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8)
        var commands: [String] = [], inBlock = false, pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if raw.hasPrefix("```") { inBlock = raw == "```sh"; pending = ""; continue }
            guard inBlock else { continue }
            var line = raw
            if let comment = line.range(of: #"\s{2,}#.*$"#, options: .regularExpression) { line.removeSubrange(comment) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\\") { pending += line.dropLast() + " "; continue }
            let command = pending + line
            pending = ""
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
            if c == "\"" { quoted.toggle(); started = true; continue }
            if c == " " && !quoted {
                if started { words.append(current) }
                current = ""; started = false
                continue
            }
            current.append(c); started = true
        }
        if started { words.append(current) }
        return words
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "needs ../shared/data (the shipped pbmc_small)"))
    func everyReadmeCommandRunsOnTheShippedData() throws {
        let fm = FileManager.default
        for (source, name) in [("counts.csv.gz", "counts.csv.gz"), ("labels.csv", "labels.csv"), ("data.h5ad", "counts.h5ad"), ("data.h5ad", "atlas.h5ad")] {
            try? fm.removeItem(atPath: dir + "/" + name)
            try fm.copyItem(atPath: TestPaths.dataset("pbmc_small", source), toPath: dir + "/" + name)
        }
        let plugins = dir + "/plugins", built = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        try? fm.removeItem(atPath: plugins)
        try? fm.removeItem(atPath: dir + "/my_reducer")
        try fm.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        for library in ["libGatedDensePlugin.so", "libFFIActivationsPlugin.so"] {
            try fm.copyItem(atPath: built + "/" + library, toPath: plugins + "/" + library)
        }
        try fm.copyItem(atPath: TestPaths.packageRoot + "/Plugins/FFIActivations/libFFIActivationsPlugin.json",
                        toPath: plugins + "/libFFIActivationsPlugin.json")
        let commands = try Self.commands()
        #expect(commands.count >= 20, "the README's commands were not found: \(commands)")
        for command in commands {
            var arguments = Self.words(command)
            for (option, cap) in [("--epochs", 3), ("--num-samples", 1_000)] {
                if let i = arguments.firstIndex(of: option), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n > cap {
                    arguments[i + 1] = String(cap)
                }
            }
            let r = try CLIRunner.run(arguments, in: dir, timeLimit: 300)
            #expect(r.status == 0, "README command failed: vaexprs \(command)\n\(r.stderr)")
        }
    }
}
