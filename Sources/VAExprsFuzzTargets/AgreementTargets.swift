import Foundation
import VAExprs

/// The agreement of a data-parallel fit's processes: two or three members (threads of an
/// `InProcessGroup`) build fingerprints from fuzzed settings (some differing, some lists of
/// another length, as processes of another build would), and agree. Every member must end
/// alike: all go on when every fingerprint is equal, all throw the same error naming each
/// parameter that differs otherwise, and no collective may ever see unequal sizes.
enum AgreementTargets {
    static let parameters = [
        "counts", "labels", "epochs", "batchSize", "seed", "optimizer", "encoder", "likelihood", "stream"
    ]

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let size = 2 + input.int(below: 2)
        var base = (0..<parameters.count).map { _ in input.string() }
        if base.isEmpty { base = [""] }
        var fingerprints: [FitFingerprint] = []
        for _ in 0..<size {
            var f = FitFingerprint()
            let count = input.int(below: 8) == 0 ? input.int(below: parameters.count + 2) : parameters.count
            for k in 0..<count {
                let parameter = parameters[k % parameters.count]
                let value = input.int(below: 6) == 0 ? input.string() : base[k % base.count]
                if parameter == "counts" || parameter == "labels" {
                    f.add(
                        parameter, "ids",
                        strings: value.split(separator: "a", omittingEmptySubsequences: false).map(String.init))
                } else {
                    f.add(parameter, "", value)
                }
            }
            fingerprints.append(f)
        }
        let members = InProcessGroup.members(size), given = fingerprints
        let errors = InProcessGroup.run(members) { member in
            try DataParallel.agree(on: given[member.rank], group: member)
        }
        if members[0].sawUnequalSizes { fatalError("a collective of unequal sizes while agreeing") }
        let allEqual = fingerprints.allSatisfy { $0 == fingerprints[0] }
        let messages = errors.map { ($0 as? VAExprsError)?.message }
        if allEqual {
            guard errors.allSatisfy({ $0 == nil }) else { fatalError("equal fingerprints refused: \(messages)") }
            return
        }
        guard let first = messages[0], messages.allSatisfy({ $0 == first }),
            errors.allSatisfy({ ($0 as? VAExprsError)?.raisedOnEveryProcess == true })
        else {
            fatalError("members did not end alike: \(messages)")
        }
        // Same number of items: each parameter whose digest differs on some member is named.
        if Set(fingerprints.map(\.items.count)).count == 1 {
            for (k, item) in fingerprints[0].items.enumerated()
            where fingerprints.contains(where: { $0.items[k].digest != item.digest }) {
                guard first.contains(item.parameter) else { fatalError("'\(first)' does not name \(item.parameter)") }
            }
        }
    }
}
