import Foundation
import VAExprs

/// A report named by `--output` (`evaluate`, `utility`): `.json` (every number) or `.html`.
enum ReportFile {
    /// Refuses another extension, naming what omitting the option gives, and checks the destination.
    static func check(_ output: String, otherwise: String) throws {
        let ext = (output as NSString).pathExtension.lowercased()
        guard ext == "json" || ext == "html" else {
            throw VAExprsError.usage(
                "--output \(output): give a .json or .html report file (or omit it for \(otherwise))")
        }
        try AtomicOutput.checkDestination(output)
    }

    /// Stages the report in the format the extension names.
    static func stage(
        _ output: String, json: () throws -> [UInt8], html: () throws -> [UInt8], in outputs: AtomicOutput
    ) throws {
        try outputs.stage(output.lowercased().hasSuffix(".json") ? try json() : try html(), at: output)
    }
}
