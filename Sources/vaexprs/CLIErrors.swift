import Foundation
import VAExprs

/// The one place that maps errors to exit statuses and prints them.
enum CLIErrors {
    /// The exit status for an error code (sysexits.h).
    static func exitStatus(_ code: VAExprsError.Code) -> Int32 {
        switch code {
        case .usage: 64
        case .badData: 65
        case .missingInput: 66
        case .unusablePlugin: 69
        case .cannotWrite: 73
        case .other: 1
        }
    }

    /// Prints `vaexprs: error: …` on stderr and exits with the mapped status.
    static func fail(_ error: VAExprsError) -> Never {
        FileHandle.standardError.write(Data("vaexprs: error: \(error.description)\n".utf8))
        exit(exitStatus(error.code))
    }
}

/// Writes a line to stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
