import Foundation
import VAExprs
import VAExprsPlatform

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
        case .cancelled: 130
        case .other: 1
        }
    }

    /// Prints `vaexprs: error: …` on stderr and exits with the mapped status.
    static func fail(_ error: VAExprsError) -> Never {
        StandardStreams.writeError("vaexprs: error: \(DisplayText.neutralised(OptionNames.message(error)))\n")
        exit(exitStatus(error.code))
    }
}

extension CLIErrors {
    /// Reports an error of one process of an MPI job and ends the job: an error every process
    /// raised alike is printed by rank 0 only and each ends normally; any other is printed by
    /// the process that failed, which then stops them all.
    static func fail(_ error: VAExprsError, in group: MPIProcessGroup) -> Never {
        let status = exitStatus(error.code)
        if error.raisedOnEveryProcess {
            if group.rank == 0 {
                StandardStreams.writeError("vaexprs: error: \(DisplayText.neutralised(OptionNames.message(error)))\n")
            }
            group.finish()
            exit(status)
        }
        StandardStreams.writeError(
            """
            vaexprs: error: rank \(group.rank) of \(group.size): \
            \(DisplayText.neutralised(OptionNames.message(error))); stopping every rank\n
            """
        )
        group.abort(status: status)
    }

    /// A complete command per subcommand, shown when a required option is missing.
    static let examples: [String: String] = [
        "fit":
            """
        vaexprs fit --counts data.h5ad --labels labels.csv --epochs 300 --validation-split 0.1 --patience 20 \
        --output model.vaexprs
        """,
        "generate": "vaexprs generate model.vaexprs --num-samples 1000 --output generated.h5ad",
        "evaluate":
            """
        vaexprs evaluate --real data.h5ad --generated generated.h5ad --labels labels.csv --generated-labels \
        generated_labels.csv
        """,
        "aug": "vaexprs plot aug --real data.csv --generated generated.csv --output aug.png",
        "model": "vaexprs plot model model.vaexprs --output model.svg",
        "history": "vaexprs plot history model.vaexprs --output history.png",
        "reduce": "vaexprs reduce --input data.csv --method pca --output pca.csv",
        "gmm": "vaexprs gmm --input latent.csv",
        "utility": "vaexprs utility --counts data.h5ad --labels labels.csv --output utility.html"
    ]

    /// Prints an argument-parsing error (or help, or the version) as ArgumentParser does and
    /// exits with its status; a missing required option also gets a complete example command.
    static func failParsing(_ error: Error) -> Never {
        let code = VAExprsCLI.exitCode(for: error)
        let message = VAExprsCLI.fullMessage(for: error)
        guard code != .success else {
            print(message)
            exit(code.rawValue)
        }
        var text = message
        if message.contains("Missing expected argument"),
            let usage = message.range(of: #"Usage: vaexprs( [a-z]+)+"#, options: .regularExpression)
        {
            let words = message[usage].split(separator: " ").dropFirst(2)
            if let example = words.reversed().lazy.compactMap({ examples[String($0)] }).first {
                text += "\n  For example: \(example)"
            }
        }
        StandardStreams.writeError(text + "\n")
        exit(code.rawValue)
    }
}

/// Writes a line to stderr, its control characters (from labels or names in data files) shown
/// rather than obeyed.
func printError(_ text: String) {
    StandardStreams.writeError(DisplayText.neutralised(text) + "\n")
}
