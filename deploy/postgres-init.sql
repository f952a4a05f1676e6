-- One database per service, the gateway's included (compose only: the local launcher creates them
-- itself, and on Kubernetes the PostgreSQL operator does). Run once, on an empty data volume.
CREATE DATABASE xarxa_projects;
CREATE DATABASE xarxa_funding;
CREATE DATABASE xarxa_reporting;
CREATE DATABASE xarxa_gateway;
