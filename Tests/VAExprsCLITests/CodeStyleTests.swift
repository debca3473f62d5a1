import Foundation
import Testing
import VAExprsTestSupport

/// Issue 28: the code follows the package's `.swift-format` configuration (4-space indents,
/// lines of at most 120 characters), checked by swift-format itself, and the plugin templates,
/// which swift-format does not read (they hold `{{NAME}}` placeholders), keep to the same width.
@Suite struct CodeStyleTests {
    static let swiftFormat = ["/usr/bin/swift-format", "/opt/swift/usr/bin/swift-format"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: swiftFormat != nil, "swift-format is not installed with this toolchain"))
    func theCodeFollowsTheFormatConfiguration() throws {
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: Self.swiftFormat!)
        lint.currentDirectoryURL = URL(fileURLWithPath: TestPaths.packageRoot)
        lint.arguments =
            ["lint", "--strict", "--recursive", "--configuration", ".swift-format", "Sources", "Plugins"]
            + ["Tests/VAExprsTestSupport"]
            + (try FileManager.default.contentsOfDirectory(atPath: TestPaths.packageRoot + "/Tests"))
            .filter { $0.hasSuffix("Tests") }.sorted().map { "Tests/" + $0 }
        let output = Pipe()
        lint.standardError = output
        lint.standardOutput = output
        try lint.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        lint.waitUntilExit()
        #expect(lint.terminationStatus == 0 && text.isEmpty, "\(text.prefix(2000))")
    }

    @Test func noLineIsLongerThan120Characters() throws {
        var long: [String] = []
        for folder in ["Sources", "Tests", "Plugins", "Templates"] {
            let root = TestPaths.packageRoot + "/" + folder
            let files = FileManager.default.enumerator(atPath: root)
            while let path = files?.nextObject() as? String {
                guard path.hasSuffix(".swift") else { continue }
                let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.count > 120 {
                    long.append("\(folder)/\(path):\(n + 1) (\(line.count))")
                }
            }
        }
        #expect(long.isEmpty, "\(long)")
    }
}
