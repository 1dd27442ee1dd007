#!/bin/sh
# Starts a one-machine Slurm cluster (this host as controller and only node)
# for trying job plans: `perceptron sweep … -plan plan.txt`, then
# `sbatch --array=1-N` (README: Beyond one machine). Needs root and Debian's
# packages: apt-get install --no-install-recommends slurmctld slurmd slurm-client munge
# No systemd or cgroups needed. Stop it with: pkill -x slurmd; pkill -x slurmctld
set -eu
host=$(hostname -s)
cpus=$(nproc)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
if [ ! -f /etc/munge/munge.key ]; then
	dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 400 /etc/munge/munge.key
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged
pgrep -x slurmctld >/dev/null || { slurmctld -D >/var/log/slurm/slurmctld.out 2>&1 & }
pgrep -x slurmd >/dev/null || { slurmd -D >/var/log/slurm/slurmd.out 2>&1 & }
for _ in $(seq 30); do
	if sinfo -h -o %T 2>/dev/null | grep -q idle; then
		sinfo
		exit 0
	fi
	sleep 1
done
echo "slurm_localhost: the node did not come up; see /var/log/slurm/" >&2
exit 1
