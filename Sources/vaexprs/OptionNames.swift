import Foundation
import VAExprs

/// The one place where the library's parameter names (in its errors and notices) become this
/// command line's option names: `topGenes` is `--top-genes` by the rule, the rest by the table.
enum OptionNames {
    /// Parameters whose option is not their name in kebab case.
    static let exceptions: [String: String] = [
        "realLabels": "--labels",
        "latentDimension": "--latent-dim",
        "count": "--num-samples",
        "normalization": "--normalize",
        "plugins": "--plugin",
        "pluginDirectories": "--plugin-dir",
        "allowInsecure": "--allow-insecure-plugins",
        "evaluationReference": "--evaluate",
        "reducerOptions": "--option",
        "colours": "--color",
        "labelColumns": "--label-column",
        "validationFile": "--validation",
        "heldOutFraction": "--held-out",
        "designs": "--design"
    ]

    /// The option a library parameter is given with.
    static func option(_ parameter: String) -> String {
        if let known = exceptions[parameter] { return known }
        var name = "--"
        for c in parameter {
            if c.isUppercase { name += "-" + c.lowercased() } else { name.append(c) }
        }
        return name
    }

    /// An error's message in this command line's terms.
    static func message(_ error: VAExprsError) -> String {
        let text = error.message(naming: { option($0) })
        return error.cause.map { "\(text) (\($0))" } ?? text
    }
}

/// Prints a library notice on stderr, prefixed with the command, in this command line's terms.
func printNotice(_ notice: Notice, command: String) {
    printError("\(command): " + notice.text(naming: { OptionNames.option($0) }))
}
