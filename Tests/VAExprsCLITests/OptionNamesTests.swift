import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

@testable import vaexprs

/// Issue 17: library errors and notices name the library's parameters; the command line shows
/// each as one of its own options, mapped in one place (`OptionNames`).
@Suite struct OptionNamesTests {
    /// Every long option of every subcommand, from ArgumentParser's own description of them.
    static func cliOptions() throws -> Set<String> {
        let r = try CLIRunner.run(["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        var names = Set<String>()
        func walk(_ command: [String: Any]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    names.insert("--" + (name["name"] as? String ?? ""))
                }
            }
            (command["subcommands"] as? [[String: Any]] ?? []).forEach(walk)
        }
        walk(root["command"] as? [String: Any] ?? [:])
        return names
    }

    /// The parameters library code marks in its messages (`\(parameter: "name")`); not the C
    /// library's (VAExprsC), whose messages name the C interface's arguments (`cells`, `path`),
    /// which each host shows under its own names.
    static func markedParameters() throws -> Set<String> {
        var found = Set<String>()
        let sources = TestPaths.packageRoot + "/Sources"
        for case let file as String in FileManager.default.enumerator(atPath: sources)!
        where file.hasSuffix(".swift") && !file.hasPrefix("vaexprs/") && !file.hasPrefix("VAExprsC/") {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for match in text.matches(of: #/parameter: "([A-Za-z]+)"/#) { found.insert(String(match.1)) }
        }
        return found
    }

    @Test func everyParameterTheLibraryNamesIsAnOptionOfTheCommandLine() throws {
        let options = try Self.cliOptions()
        #expect(options.contains("--top-genes") && options.count > 50, "\(options.count) options found")
        let parameters = try Self.markedParameters()
        #expect(parameters.count > 30, "\(parameters)")
        for parameter in parameters {
            #expect(
                options.contains(OptionNames.option(parameter)),
                "library parameter '\(parameter)' maps to \(OptionNames.option(parameter)), which no command has")
        }
        // No stale entries: each exception is a parameter some message names, mapped to a real option.
        for (parameter, option) in OptionNames.exceptions {
            #expect(
                parameters.contains(parameter), "OptionNames.exceptions['\(parameter)'] is named by no library message")
            #expect(options.contains(option), "\(option) is no option")
        }
    }

    @Test func messagesReadInEachFrontEndsTerms() {
        let error = VAExprsError.usage(
            "\(parameter: "topGenes") must be ≥ 1; or give \(parameter: "count") cells (\(parameter: "labelColumns"))")
        #expect(error.message == "topGenes must be ≥ 1; or give count cells (labelColumns)")
        #expect(error.parameters == ["topGenes", "count", "labelColumns"])
        #expect(OptionNames.message(error) == "--top-genes must be ≥ 1; or give --num-samples cells (--label-column)")
        #expect("\(error)" == error.message)
        let notice = Notice("streaming (\(parameter: "memoryLimit") raises the limit)")
        #expect(notice.description == "streaming (memoryLimit raises the limit)")
        #expect(notice.text(naming: OptionNames.option) == "streaming (--memory-limit raises the limit)")
    }
}
