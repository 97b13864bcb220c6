//! The seeded tenant content: users/mailboxes and mobile devices, immutable after start so every
//! page is served from shared data by index.

mod devices;
mod names;
mod users;

pub use devices::{Device, DevicesByUser};
pub use users::{User, UserIndex, escape_rdn};

use crate::tenant::Tenant;

#[derive(Debug)]
pub struct SeedData {
    pub users: Vec<User>,
    pub user_index: UserIndex,
    pub devices: Vec<Device>,
    pub devices_by_user: DevicesByUser,
}

impl SeedData {
    pub fn generate(seed: u64, users: usize, devices: usize, tenant: &Tenant) -> Self {
        let (users, user_index) = users::generate_users(seed, users, tenant);
        let devices = devices::generate_devices(seed, devices, users.len());
        let devices_by_user = DevicesByUser::build(&devices, users.len());
        Self {
            users,
            user_index,
            devices,
            devices_by_user,
        }
    }

    pub fn user(&self, index: u32) -> Option<&User> {
        self.users.get(index as usize)
    }

    pub fn user_by_id_or_upn(&self, key: &str) -> Option<u32> {
        if let Ok(id) = uuid::Uuid::parse_str(key) {
            return self.user_index.by_id.get(&id).copied();
        }
        self.user_index.by_upn.get(&key.to_lowercase()).copied()
    }
}
