import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraWire
import Testing

/// Client-side cryptographic erasure: message keys live apart from stored ciphertexts; deleting a message deletes
/// its key, after which the stored ciphertext cannot be decrypted by anything the client still holds.
@Suite struct ErasureTests {
    @Test func deletingAMessageKeyMakesItsStoredCiphertextUnreadable() throws {
        var room = PureRoom()
        var alice = room.state(of: 0)
        var bob = room.state(of: 1)
        var keys = InMemoryMessageKeyStore()
        var storedFrames: [MessageKeyID: Frame] = [:]
        for index in 0..<3 {
            let frame = try room.seal("message \(index)", from: 0, state: &alice).frame
            let opened = try bob.open(frame)
            try keys.insert(opened.messageKey, for: opened.keyID)
            storedFrames[opened.keyID] = frame
        }
        let ids = storedFrames.keys.sorted()
        for (index, id) in ids.enumerated() {
            #expect(try keys.open(storedFrame: storedFrames[id]!) == Array("message \(index)".utf8))
        }
        // Bob deletes message 1: its key goes; the ciphertext may linger in storage, unreadable.
        let removed = keys.removeKey(for: ids[1])
        let removedAgain = keys.removeKey(for: ids[1])
        #expect(removed && !removedAgain)
        #expect(throws: DataPlaneError.messageKeyMissing(ids[1])) { try keys.open(storedFrame: storedFrames[ids[1]]!) }
        // The ratchet cannot give the key again either: it was deleted when the message arrived.
        #expect(throws: DataPlaneError.replayedGeneration(1)) { try bob.open(storedFrames[ids[1]]!) }
        // The other messages stay readable.
        #expect(try keys.open(storedFrame: storedFrames[ids[0]]!) == Array("message 0".utf8))
        #expect(try keys.open(storedFrame: storedFrames[ids[2]]!) == Array("message 2".utf8))
        #expect(keys.count == 2)
    }

    @Test func aSenderKeepsTheKeysOfItsOwnMessagesTheSameWay() throws {
        var room = PureRoom()
        var alice = room.state(of: 0)
        var keys = InMemoryMessageKeyStore()
        let sealed = try room.seal("mine", from: 0, state: &alice)
        try keys.insert(sealed.messageKey, for: sealed.keyID)
        #expect(try keys.open(storedFrame: sealed.frame) == Array("mine".utf8))
        keys.removeKey(for: sealed.keyID)
        #expect(throws: DataPlaneError.messageKeyMissing(sealed.keyID)) { try keys.open(storedFrame: sealed.frame) }
    }

    @Test func theStoreIsBoundedAndChecksTheKeyItIsGiven() throws {
        var room = PureRoom()
        var alice = room.state(of: 0)
        var keys = InMemoryMessageKeyStore(capacity: 1)
        let first = try room.seal("one", from: 0, state: &alice)
        let second = try room.seal("two", from: 0, state: &alice)
        try keys.insert(first.messageKey, for: first.keyID)
        #expect(throws: DataPlaneError.keyStoreFull(capacity: 1)) {
            try keys.insert(second.messageKey, for: second.keyID)
        }
        // A wrong key under the right ID fails authentication rather than returning garbage.
        try keys.insert(second.messageKey, for: first.keyID)
        #expect(throws: DataPlaneError.authenticationFailure) { try keys.open(storedFrame: first.frame) }
    }
}
