/// The identity, f(x) = x, with its derivative 1.
struct Identity: Activation {
    let name = "{{NAME}}"
    func apply(_ values: inout [Float]) {}
    func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {}
    var derivativeNeedsInput: Bool { false }
}

let component = ExportedComponent("{{NAME}}", "the identity", .activation { _ in Identity() })
