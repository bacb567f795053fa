select {{ broken(1) }}
