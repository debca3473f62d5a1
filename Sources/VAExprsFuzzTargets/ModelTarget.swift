import Foundation
import VAExprs

/// The model file decoder on checksum-valid files: a fuzzed file's checksum is recomputed, so
/// that mutations reach the header's contents instead of stopping at the CRC. An input that
/// starts with the model signature is taken as a whole model file (its prefix's lengths, clamped
/// to what is there, split it into header and weights); any other input is a two-byte header
/// length, the header, then the weights. A model that decodes is then used as `generate` and
/// `plot model` use it.
enum ModelTarget {
    static func run(_ bytes: [UInt8]) {
        let header: [UInt8], weights: [UInt8]
        let signature = Array("VAEXPRS".utf8) + [0]
        if bytes.count >= 32 && Array(bytes[0..<8]) == signature {
            let declared = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[12 + $1]) << (8 * UInt64($1)) }
            let length = Int(min(declared, UInt64(bytes.count - 32)))
            header = Array(bytes[32..<(32 + length)])
            weights = Array(bytes[(32 + length)...])
        } else {
            var input = FuzzInput(bytes)
            let length = Int(input.raw(UInt16.self))
            let rest = input.rest()
            header = Array(rest.prefix(length))
            weights = Array(rest.dropFirst(length))
        }
        let file = ModelFile.assemble(header: header, weights: weights)
        guard let model = try? ModelFile.decode(file, source: "fuzz.vaexprs", registry: FuzzTargets.registry) else {
            return
        }
        _ = ArchitectureGraph.dot(model.network.architecture, title: "fuzz")
        var options = GenerationOptions(count: 3, sampler: ComponentSpec(name: "normal"), seed: 1, batchSize: 2)
        if model.conditions != nil, let first = model.trainingLabels?.first {
            options.perLabel = [(first.joined(separator: "|"), 2)]
        }
        _ = try? Generator(model: model, registry: FuzzTargets.registry).generate(options)
        options.perLabel = nil
        _ = try? Generator(model: model, registry: FuzzTargets.registry).generate(options)
    }
}
