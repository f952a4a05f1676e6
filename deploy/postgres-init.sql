-- One database per service (compose only; the local launcher creates them itself).
CREATE DATABASE xarxa_projects;
CREATE DATABASE xarxa_funding;
CREATE DATABASE xarxa_reporting;
