import KalandraCore
import KalandraCrypto

/// Where the server finds the registered device keys. Called on the connection's event loop: it must answer
/// without blocking.
public protocol DeviceKeyDirectory: Sendable {
    /// The verifying key registered under `sender`, or nil when there is none.
    func verifyingKey(for sender: SenderID) -> VerifyingKey?
}

/// A fixed set of device keys, indexed by the sender ID each one signs as (`SenderID(signatureKey:)`).
public struct StaticDeviceKeyDirectory: DeviceKeyDirectory {
    private let keys: [SenderID: VerifyingKey]

    /// The directory of `keys`.
    public init(_ keys: [VerifyingKey]) {
        var index: [SenderID: VerifyingKey] = [:]
        for key in keys { index[SenderID(signatureKey: key.bytes)] = key }
        self.keys = index
    }

    public func verifyingKey(for sender: SenderID) -> VerifyingKey? { keys[sender] }
}
