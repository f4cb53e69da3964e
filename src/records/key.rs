//! The service's Ed25519 signing key: created at first start, kept in a file only the service
//! user can read, and identified by a short hash of its public half. After a rotation the
//! public halves of the keys it replaced are kept beside it, so that records they signed still
//! verify.

use std::io::Write;
use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

pub struct ServiceKey {
    signing: SigningKey,
    key_id: String,
    /// Public keys of earlier service keys, by key id: they verify, they never sign.
    retired: Vec<(String, VerifyingKey)>,
}

impl ServiceKey {
    /// Reads the key at `path` (64 hex digits of the secret seed), or creates it there with
    /// mode 0600 if the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<ServiceKey, String> {
        let shown = path.display();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut seed = [0u8; 32];
                hex::decode_to_slice(text.trim(), &mut seed)
                    .map_err(|e| format!("{shown}: not a 64-hex-digit Ed25519 seed: {e}"))?;
                Ok(ServiceKey::from_seed(&seed))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| format!("no randomness for a key: {e}"))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(|e| format!("{shown}: {e}"))?;
                file.write_all(format!("{}\n", hex::encode(seed)).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| format!("{shown}: {e}"))?;
                Ok(ServiceKey::from_seed(&seed))
            }
            Err(e) => Err(format!("{shown}: {e}")),
        }
    }

    pub fn from_seed(seed: &[u8; 32]) -> ServiceKey {
        let signing = SigningKey::from_bytes(seed);
        let key_id = key_id(&signing.verifying_key());
        ServiceKey {
            signing,
            key_id,
            retired: Vec::new(),
        }
    }

    /// Adds the public key in the file at `path` (64 hex digits, as `GetServiceKey` serves it)
    /// as a retired key.
    pub fn retire_from_file(mut self, path: &Path) -> Result<ServiceKey, String> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes)
            .map_err(|e| format!("{shown}: not a 64-hex-digit Ed25519 public key: {e}"))?;
        let public = VerifyingKey::from_bytes(&bytes)
            .map_err(|e| format!("{shown}: not an Ed25519 public key: {e}"))?;
        let id = key_id(&public);
        if id == self.key_id {
            return Err(format!(
                "{shown}: is the current key ({id}), not a retired one"
            ));
        }
        if !self.retired.iter().any(|(known, _)| *known == id) {
            self.retired.push((id, public));
        }
        Ok(self)
    }

    /// The ids of the retired keys, in the order given.
    pub fn retired_key_ids(&self) -> impl Iterator<Item = &str> {
        self.retired.iter().map(|(id, _)| id.as_str())
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    pub fn sign(&self, text: &str) -> [u8; 64] {
        self.signing.sign(text.as_bytes()).to_bytes()
    }

    /// Whether the key `key_id` (the current one or a retired one) signed `text`: None when
    /// this service holds no key of that id. False for a signature of the wrong length as for
    /// a wrong one.
    pub fn verify(&self, key_id: &str, text: &str, signature: &[u8]) -> Option<bool> {
        let public = if key_id == self.key_id {
            self.public_key()
        } else {
            self.retired
                .iter()
                .find(|(id, _)| id == key_id)
                .map(|(_, public)| *public)?
        };
        Some(
            Signature::from_slice(signature)
                .is_ok_and(|s| public.verify(text.as_bytes(), &s).is_ok()),
        )
    }
}

/// The first 16 hex digits of SHA-256 of the public key.
pub fn key_id(public: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(public.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_is_read_back_the_same_and_signs_verifiably() {
        let dir = std::env::temp_dir().join(format!("gi-key-{}", std::process::id()));
        let path = dir.join("service.key");
        let _ = std::fs::remove_dir_all(&dir);
        let created = ServiceKey::load_or_create(&path).unwrap();
        let loaded = ServiceKey::load_or_create(&path).unwrap();
        assert_eq!(created.key_id(), loaded.key_id());
        let signature = created.sign("text");
        let id = created.key_id();
        assert_eq!(loaded.verify(id, "text", &signature), Some(true));
        assert_eq!(loaded.verify(id, "texT", &signature), Some(false));
        assert_eq!(loaded.verify("0123456789abcdef", "text", &signature), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_retired_key_verifies_what_it_signed_and_signs_nothing_new() {
        let dir = std::env::temp_dir().join(format!("gi-retired-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let old = ServiceKey::from_seed(&[7; 32]);
        let old_signature = old.sign("old record");
        let public_file = dir.join("old.pub");
        std::fs::write(&public_file, hex::encode(old.public_key().as_bytes())).unwrap();

        let new = ServiceKey::from_seed(&[8; 32]);
        assert_eq!(new.verify(old.key_id(), "old record", &old_signature), None);
        let new = new.retire_from_file(&public_file).unwrap();
        assert_eq!(new.retired_key_ids().collect::<Vec<_>>(), [old.key_id()]);
        assert_eq!(
            new.verify(old.key_id(), "old record", &old_signature),
            Some(true)
        );
        assert_eq!(
            new.verify(old.key_id(), "old recorD", &old_signature),
            Some(false)
        );
        // What the new key signs is checked under the new key only.
        let new_signature = new.sign("new record");
        assert_eq!(
            new.verify(old.key_id(), "new record", &new_signature),
            Some(false)
        );
        assert_eq!(
            new.verify(new.key_id(), "new record", &new_signature),
            Some(true)
        );

        std::fs::write(&public_file, hex::encode(new.public_key().as_bytes())).unwrap();
        let current = new.retire_from_file(&public_file).err().expect("refused");
        assert!(current.contains("is the current key"), "{current}");
        std::fs::write(&public_file, "zz").unwrap();
        let bad = ServiceKey::from_seed(&[8; 32]).retire_from_file(&public_file);
        assert!(bad.err().expect("refused").contains("not a 64-hex-digit"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
